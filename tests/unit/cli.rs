use clap::CommandFactory as _;

use clap::Parser as _;
use outforce::cli::*;

#[test]
fn verify_cli() {
    Cli::command().debug_assert();
}

#[test]
fn every_subcommand_parses() {
    let mut commands = vec![
        vec!["outforce", "serve"],
        vec!["outforce", "serve", "--port", "9000", "--bind", "0.0.0.0"],
        vec!["outforce", "worker"],
        vec![
            "outforce",
            "worker",
            "--health-port",
            "9100",
            "--bind",
            "::",
        ],
        vec!["outforce", "migrate"],
    ];
    if cfg!(feature = "sandbox") {
        commands.extend([
            vec!["outforce", "--config", "x.toml", "demo", "--port", "9000"],
            vec!["outforce", "sandbox", "--dir", "/tmp/sb"],
            vec!["outforce", "sandbox", "--demo-data", "data.json"],
        ]);
    }
    for args in commands {
        assert!(Cli::try_parse_from(&args).is_ok(), "{args:?}");
    }
    assert!(Cli::try_parse_from(["outforce", "bogus"]).is_err());
    assert!(
        Cli::try_parse_from(["outforce", "worker", "--bind", "0.0.0.0"]).is_err(),
        "a bind address without a health port means nothing"
    );
    assert!(Cli::try_parse_from(["outforce", "serve", "--port", "eighty"]).is_err());
}
