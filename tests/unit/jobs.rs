use outforce::jobs::*;
use serde::Serialize;

#[derive(Serialize, serde::Deserialize)]
struct Ping;

impl Job for Ping {
    const KIND: &'static str = "ping";
    type Context = ();
    async fn run(&self, _: &()) -> anyhow::Result<()> {
        Ok(())
    }
}

#[derive(Serialize, serde::Deserialize)]
struct OtherPing;

impl Job for OtherPing {
    const KIND: &'static str = "ping";
    type Context = ();
    async fn run(&self, _: &()) -> anyhow::Result<()> {
        Ok(())
    }
}

#[test]
fn registered_kinds_are_listed() {
    assert_eq!(Registry::<()>::new().register::<Ping>().kinds(), ["ping"]);
}

#[test]
#[should_panic(expected = "two job types share the kind \"ping\"")]
fn a_kind_cannot_be_registered_twice() {
    let _ = Registry::<()>::new()
        .register::<Ping>()
        .register::<OtherPing>();
}
