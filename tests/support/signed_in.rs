//! What every test of signed-in calls needs: an Entra tenant (the emulator) with outforce's API
//! registered, its CA in a file, and settings for a fresh instance that trusts it.

use std::path::PathBuf;

use outforce::config::Loaded;
use outforce_sandbox::entra::{AppRegistration, Entra, TokenSpec};
use outforce_sandbox::tls::Authority;

use crate::db::Backend;
use crate::helpers::test_settings;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";

pub struct Tenant {
    pub entra: Entra,
    pub authority: Authority,
    pub ca_file: PathBuf,
    pub ca_dir: tempfile::TempDir,
}

pub fn app_id_uri() -> String {
    format!("api://outforce.example/{API}")
}

/// outforce's app registration in the tenant.
pub fn registration() -> AppRegistration {
    AppRegistration {
        tenant_id: TENANT.into(),
        client_id: API.into(),
        client_secret: "secret".into(),
        app_id_uri: app_id_uri(),
        application_permissions: Vec::new(),
    }
}

pub fn tenant() -> Tenant {
    let authority = Authority::new().unwrap();
    let entra = Entra::start(&authority).unwrap();
    entra.register_app(registration());
    let ca_dir = tempfile::tempdir().unwrap();
    let ca_file = ca_dir.path().join("sandbox-ca.pem");
    authority.write_pem(&ca_file).unwrap();
    Tenant {
        entra,
        authority,
        ca_file,
        ca_dir,
    }
}

impl Tenant {
    /// Settings for an instance on a fresh SQLite database that signs reps in against this
    /// tenant (no clock leeway, so lifetimes are exact) and trusts the sandbox's CA.
    pub async fn settings(&self) -> (Loaded, Option<tempfile::TempDir>) {
        let (url, db_dir) = crate::db::fresh_url(Backend::Sqlite).await;
        let mut loaded = test_settings(&url);
        let entra = &mut loaded.settings.entra;
        entra.authority = self.entra.base_url().to_string();
        entra.client_id = Some(API.into());
        entra.app_id_uri = Some(app_id_uri());
        entra.clock_leeway_secs = 0;
        loaded.settings.outbound.extra_ca_files = vec![self.ca_file.clone()];
        (loaded, db_dir)
    }

    /// A rep's token for our API.
    pub fn token(&self, rep: &str) -> String {
        self.entra.mint(&TokenSpec::user(TENANT, rep, API)).unwrap()
    }
}

/// A 2048-bit RSA key and a self-signed certificate for it: what an admin uploads to a connected
/// app or an app registration, with the key kept on outforce's server. The certificate's PEM,
/// its DER, the key's PEM and the public key's PEM.
pub struct KeyPair {
    pub certificate_pem: String,
    pub certificate_der: Vec<u8>,
    pub private_key_pem: String,
    pub public_key_pem: String,
}

pub fn key_pair() -> KeyPair {
    let key = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        .unwrap();
    let certificate = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    KeyPair {
        certificate_pem: certificate.pem(),
        certificate_der: certificate.der().to_vec(),
        private_key_pem: key.serialize_pem(),
        public_key_pem: key.public_key_pem(),
    }
}
