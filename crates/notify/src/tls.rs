//! TLS for both channels: the rustls client settings (ring, Mozilla's roots) and TLS failures in words.

use std::error::Error;
use std::sync::Arc;

use rustls::CertificateError;

/// Client settings for the SMS gateway: ring as the crypto provider (as
/// everywhere in the workspace) and Mozilla's roots built in. lettre builds
/// the same for SMTP from its `rustls-tls` feature.
pub(crate) fn client_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS cannot be set up: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// "the secure connection (TLS) failed: …" if a rustls error is anywhere in
/// the chain (also inside an `io::Error`, where TLS streams put it).
pub(crate) fn failure(e: &(dyn Error + 'static)) -> Option<String> {
    let mut current = Some(e);
    while let Some(error) = current {
        let tls = error.downcast_ref::<rustls::Error>().or_else(|| {
            error
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = tls {
            return Some(format!(
                "the secure connection (TLS) failed: {}",
                describe(tls)
            ));
        }
        current = error.source();
    }
    None
}

fn describe(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "the server's certificate has expired".to_owned()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "the server's certificate is not valid for its host name".to_owned()
            }
            CertificateError::UnknownIssuer => {
                "the server's certificate is not signed by an authority Tether trusts".to_owned()
            }
            other => format!("the server's certificate was not accepted ({other:?})"),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tls_errors_inside_io_errors() {
        let io = std::io::Error::other(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ));
        assert_eq!(
            failure(&io).as_deref(),
            Some(
                "the secure connection (TLS) failed: the server's certificate is not signed by an authority Tether trusts"
            )
        );
        assert_eq!(failure(&std::io::Error::other("refused")), None);
        assert!(client_config().is_ok());
    }
}
