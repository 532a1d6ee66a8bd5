//! Which URLs the connector will ever request: configured endpoints (https, or plain
//! http to a loopback address for tests) and certificate URLs from `PAYPAL-CERT-URL`
//! (https on an allow-listed host only).

use std::net::IpAddr;

use url::{Host, Url};

/// Why a URL is refused. Messages never echo the URL (it may come from a payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL.
    #[error("not a valid url")]
    Invalid,
    /// Neither https nor http to loopback.
    #[error("must be https (plain http only to a loopback address)")]
    Scheme,
    /// The host is not allow-listed.
    #[error("host is not an allowed paypal certificate host")]
    Host,
    /// User info, a non-default port on https, or a fragment.
    #[error("must not carry credentials, a fragment or an unusual port")]
    Shape,
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        _ => false,
    }
}

/// A configured endpoint (`postback_url`, `api_base`): https, or http to a loopback IP.
pub fn parse_endpoint(raw: &str) -> Result<Url, UrlError> {
    let url = Url::parse(raw).map_err(|_| UrlError::Invalid)?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        _ => return Err(UrlError::Scheme),
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(UrlError::Shape);
    }
    Ok(url)
}

/// Checks a `PAYPAL-CERT-URL` against the allow-list: https on a listed host with the
/// default port, or (tests) plain http to a loopback IP that is itself listed.
///
/// ```
/// use invoice_connector_paypal::urls::check_cert_url;
/// let hosts = vec!["api.paypal.com".to_owned()];
/// assert!(check_cert_url("https://api.paypal.com/v1/notifications/certs/CERT-1", &hosts).is_ok());
/// assert!(check_cert_url("https://api.paypal.com.evil.example/c", &hosts).is_err());
/// assert!(check_cert_url("http://api.paypal.com/c", &hosts).is_err());
/// ```
pub fn check_cert_url(raw: &str, allowed_hosts: &[String]) -> Result<Url, UrlError> {
    let url = Url::parse(raw).map_err(|_| UrlError::Invalid)?;
    let host = url.host_str().ok_or(UrlError::Host)?;
    let listed = allowed_hosts
        .iter()
        .any(|h| h.trim_end_matches('.').eq_ignore_ascii_case(host));
    if !listed {
        return Err(UrlError::Host);
    }
    match url.scheme() {
        "https" if url.port().is_none() => {}
        "https" => return Err(UrlError::Shape),
        "http" if is_loopback(&url) => {}
        _ => return Err(UrlError::Scheme),
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(UrlError::Shape);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paypal() -> Vec<String> {
        crate::config::PAYPAL_CERT_HOSTS
            .iter()
            .map(|h| (*h).to_owned())
            .collect()
    }

    #[test]
    fn paypal_hosts_are_accepted_over_https_only() {
        for host in crate::config::PAYPAL_CERT_HOSTS {
            let ok = format!("https://{host}/v1/notifications/certs/CERT-360caa42-fca2a594");
            assert!(check_cert_url(&ok, &paypal()).is_ok(), "{ok}");
            let plain = format!("http://{host}/v1/notifications/certs/CERT-1");
            assert_eq!(check_cert_url(&plain, &paypal()), Err(UrlError::Scheme));
        }
        assert!(check_cert_url("https://API.PAYPAL.COM/c", &paypal()).is_ok());
    }

    #[test]
    fn look_alike_and_odd_urls_are_refused() {
        for bad in [
            "https://api.paypal.com.attacker.example/cert",
            "https://attacker.example/api.paypal.com/cert",
            "https://evilapi.paypal.com/cert",
            "https://paypal.com/cert",
            "https://api.paypal.com:8443/cert",
            "https://user:pw@api.paypal.com/cert",
            "https://127.0.0.1/cert",
            "http://127.0.0.1:8080/cert",
            "ftp://api.paypal.com/cert",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            assert!(check_cert_url(bad, &paypal()).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn listed_loopback_may_use_plain_http() {
        let hosts = vec!["127.0.0.1".to_owned()];
        assert!(check_cert_url("http://127.0.0.1:4321/certs/CERT-1", &hosts).is_ok());
        // Listed, but not loopback: https is still required.
        let hosts = vec!["10.0.0.1".to_owned()];
        assert_eq!(
            check_cert_url("http://10.0.0.1/certs/CERT-1", &hosts),
            Err(UrlError::Scheme)
        );
    }

    #[test]
    fn endpoints_need_https_unless_loopback() {
        assert!(parse_endpoint(crate::config::LIVE_POSTBACK_URL).is_ok());
        assert!(parse_endpoint("http://127.0.0.1:9/cgi-bin/webscr").is_ok());
        assert!(parse_endpoint("http://[::1]:9/x").is_ok());
        assert_eq!(
            parse_endpoint("http://ipnpb.paypal.com/cgi-bin/webscr"),
            Err(UrlError::Scheme)
        );
        assert_eq!(parse_endpoint("nope"), Err(UrlError::Invalid));
    }
}
