//! The rustls client configuration for `rediss://`: the `ring` provider (as the server
//! uses), trusted CAs from a PEM file, and an optional client certificate.

use crate::error::{Error, Result};
use crate::options::ConnectOptions;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

pub(crate) fn client_config(o: &ConnectOptions) -> Result<Arc<ClientConfig>> {
    let tls = |what: &str, e: &dyn std::fmt::Display| Error::Tls(format!("{what}: {e}"));
    let ca = o.tls_ca_file.as_ref().ok_or_else(|| {
        Error::Tls("rediss:// needs the CA to trust: ConnectOptions::tls_ca_file or ?ca=/path/ca.pem".into())
    })?;
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).map_err(|e| tls(&format!("reading {}", ca.display()), &e))? {
        roots.add(c.map_err(|e| tls("CA file", &e))?).map_err(|e| tls("CA certificate", &e))?;
    }
    if roots.is_empty() {
        return Err(Error::Tls(format!("no certificate in {}", ca.display())));
    }
    // ring's provider, as the server uses (deprecated only because ring lacks the
    // post-quantum key exchange; aws-lc-rs would need a C toolchain and cmake).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls("protocol versions", &e))?
        .with_root_certificates(roots);
    let config = match (&o.tls_cert_file, &o.tls_key_file) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .map_err(|e| tls(&format!("reading {}", cert.display()), &e))?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| tls("client certificate", &e))?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| tls(&format!("reading {}", key.display()), &e))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| tls("client certificate", &e))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => return Err(Error::Tls("a client certificate needs both tls_cert_file and tls_key_file".into())),
    };
    Ok(Arc::new(config))
}
