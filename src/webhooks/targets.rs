//! Where a webhook may send: an `http` or `https` URL whose host resolves only to public
//! addresses, unless `BANTIN_WEBHOOK_ALLOW_PRIVATE` allows the rest. Checked when an endpoint
//! is saved and again before every delivery, which then connects to the very address that was
//! checked (a name that resolves elsewhere a moment later changes nothing: no DNS rebinding).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::{Ipv4Net, Ipv6Net};
use reqwest::Url;

use crate::domain::limits::WEBHOOK_URL_MAX;

/// A checked URL: http(s), a host, no user or password, not too long.
pub fn parse(text: &str) -> Result<Url, String> {
    if text.chars().count() > WEBHOOK_URL_MAX {
        return Err(format!("at most {WEBHOOK_URL_MAX} characters"));
    }
    let url = Url::parse(text.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment".into());
    }
    Ok(url)
}

/// The addresses `url`'s host resolves to, all of them allowed; an error names why not.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(format!(
            "{host} resolves to {}, a loopback, private, link-local or reserved address \
             (allowed only with BANTIN_WEBHOOK_ALLOW_PRIVATE=true)",
            bad.ip()
        ));
    }
    Ok(addrs)
}

/// Whether `ip` is an address of the public Internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    const NOT_PUBLIC: &[&str] = &[
        "0.0.0.0/8",       // this network
        "10.0.0.0/8",      // private
        "100.64.0.0/10",   // carrier-grade NAT
        "127.0.0.0/8",     // loopback
        "169.254.0.0/16",  // link-local (cloud metadata services live here)
        "172.16.0.0/12",   // private
        "192.0.0.0/24",    // IETF protocol assignments
        "192.0.2.0/24",    // documentation
        "192.88.99.0/24",  // 6to4 relays
        "192.168.0.0/16",  // private
        "198.18.0.0/15",   // benchmarking
        "198.51.100.0/24", // documentation
        "203.0.113.0/24",  // documentation
        "224.0.0.0/4",     // multicast
        "240.0.0.0/4",     // reserved, broadcast
    ];
    !NOT_PUBLIC.iter().any(|net| {
        net.parse::<Ipv4Net>()
            .is_ok_and(|net: Ipv4Net| net.contains(&ip))
    })
}

fn public_v6(ip: Ipv6Addr) -> bool {
    const NOT_PUBLIC: &[&str] = &[
        "::/128",       // unspecified
        "::1/128",      // loopback
        "64:ff9b::/96", // NAT64 (reaches IPv4 addresses, private ones too)
        "64:ff9b:1::/48",
        "100::/64",      // discard
        "2001:db8::/32", // documentation
        "2002::/16",     // 6to4 (embeds IPv4 addresses)
        "fc00::/7",      // unique local
        "fe80::/10",     // link-local
        "fec0::/10",     // site-local (deprecated)
        "ff00::/8",      // multicast
    ];
    !NOT_PUBLIC.iter().any(|net| {
        net.parse::<Ipv6Net>()
            .is_ok_and(|net: Ipv6Net| net.contains(&ip))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.10",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "1.1.1.1",
            "203.113.131.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_http_with_a_host_and_no_credentials() {
        assert!(parse("https://cong.laichau.gov.vn/hooks/bantin").is_ok());
        assert!(parse("http://127.0.0.1:9000/h").is_ok());
        for bad in [
            "ftp://example.com/",
            "https://user:pass@example.com/",
            "not a url",
            "https://example.com/#x",
            "file:///etc/passwd",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        let url = parse("http://127.0.0.1:9000/hook").unwrap();
        assert!(resolve(&url, false).await.is_err());
        assert_eq!(resolve(&url, true).await.unwrap().len(), 1);
        let url = parse("http://[::1]:9000/hook").unwrap();
        assert!(resolve(&url, false).await.is_err());
        let url = parse("http://localhost:9000/hook").unwrap();
        assert!(
            resolve(&url, false).await.is_err(),
            "a name of a loopback address"
        );
    }
}
