//! How the service is reached: the address it listens on, its public URL, the browsers'
//! origins it answers, the proxies it believes, and how it logs.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use ipnet::IpNet;

use super::sources::{Sources, http_url};
use super::{ConfigError, LogFormat, PortalConfig, err};

/// `BANTIN_BIND` as given.
pub(super) fn bind(src: &Sources) -> String {
    src.text("BANTIN_BIND", src.file.bind.as_deref())
        .unwrap_or_else(|| "127.0.0.1:8080".into())
}

/// What to listen on: the address `bind` gives, or every address its host name resolves to.
pub(super) fn bind_addrs(bind: &str) -> Result<Vec<SocketAddr>, ConfigError> {
    match bind.parse::<SocketAddr>() {
        Ok(addr) => Ok(vec![addr]),
        Err(_) => resolve_bind(bind),
    }
}

/// The addresses a `host:port` value of `BANTIN_BIND` resolves to (the system resolver:
/// `/etc/hosts`, then DNS).
fn resolve_bind(bind: &str) -> Result<Vec<SocketAddr>, ConfigError> {
    let has_port = bind
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if !has_port {
        return Err(err(
            "BANTIN_BIND",
            format!(
                "`{bind}` is not an address:port or host:port such as 127.0.0.1:8080 or localhost:8080"
            ),
        ));
    }
    let resolved = bind.to_socket_addrs().map_err(|e| {
        err(
            "BANTIN_BIND",
            format!("cannot resolve the host name in `{bind}`: {e}"),
        )
    })?;
    let mut addrs: Vec<SocketAddr> = Vec::new();
    for addr in resolved {
        if !addrs.contains(&addr) {
            addrs.push(addr);
        }
    }
    if addrs.is_empty() {
        return Err(err(
            "BANTIN_BIND",
            format!("the host name in `{bind}` resolves to no address"),
        ));
    }
    Ok(addrs)
}

/// `BANTIN_PUBLIC_URL`, or what `bind` gives: a host name as given, an address as clients can
/// use it.
pub(super) fn public_url(src: &Sources, bind: &str) -> Result<String, ConfigError> {
    if let Some(url) = src.text("BANTIN_PUBLIC_URL", src.file.public_url.as_deref()) {
        return http_url("BANTIN_PUBLIC_URL", &url);
    }
    Ok(match bind.parse::<SocketAddr>().ok() {
        None => format!("http://{bind}"),
        Some(addr) if addr.ip().is_unspecified() => {
            format!("http://127.0.0.1:{}", addr.port())
        }
        Some(SocketAddr::V6(addr)) => format!("http://[{}]:{}", addr.ip(), addr.port()),
        Some(addr) => format!("http://{addr}"),
    })
}

/// Origins such as `https://example.gov.vn` allowed to call the API from a browser.
pub(super) fn cors_origins(src: &Sources) -> Result<Vec<String>, ConfigError> {
    let origins = src.list("BANTIN_CORS_ORIGINS", src.file.cors_origins.as_deref());
    for origin in &origins {
        let ok = (origin.starts_with("http://") || origin.starts_with("https://"))
            && !origin.ends_with('/')
            && !origin.contains(char::is_whitespace);
        if !ok {
            return Err(err(
                "BANTIN_CORS_ORIGINS",
                format!("`{origin}` is not an origin such as https://example.gov.vn"),
            ));
        }
    }
    Ok(origins)
}

pub(super) fn log_format(src: &Sources) -> Result<LogFormat, ConfigError> {
    match src
        .text("BANTIN_LOG_FORMAT", src.file.log_format.as_deref())
        .as_deref()
    {
        None | Some("pretty") => Ok(LogFormat::Pretty),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(err(
            "BANTIN_LOG_FORMAT",
            format!("`{other}` is neither `pretty` nor `json`"),
        )),
    }
}

/// Addresses and networks whose `X-Forwarded-For` is believed.
pub(super) fn trusted_proxies(src: &Sources) -> Result<Vec<IpNet>, ConfigError> {
    src.list(
        "BANTIN_TRUSTED_PROXIES",
        src.file.trusted_proxies.as_deref(),
    )
    .iter()
    .map(|s| {
        s.parse::<IpNet>()
            .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| {
                err(
                    "BANTIN_TRUSTED_PROXIES",
                    format!("`{s}` is not an IP address or CIDR"),
                )
            })
    })
    .collect()
}

/// The portal's base URL and the paths of its pages (each with `{slug}`).
pub(super) fn portal(src: &Sources, public_url: &str) -> Result<PortalConfig, ConfigError> {
    let url = match src.text("BANTIN_PORTAL_URL", src.file.portal_url.as_deref()) {
        Some(url) => http_url("BANTIN_PORTAL_URL", &url)?,
        None => public_url.to_string(),
    };
    let path = |name: &str, from_file: Option<&str>, default: &str| {
        let path = src
            .text(name, from_file)
            .unwrap_or_else(|| default.to_string());
        match path.starts_with('/') && path.contains("{slug}") {
            true => Ok(path),
            false => Err(err(name, "must start with `/` and contain `{slug}`")),
        }
    };
    let file = &src.file;
    Ok(PortalConfig {
        url,
        article_path: path(
            "BANTIN_PORTAL_ARTICLE_PATH",
            file.portal_article_path.as_deref(),
            "/tin-tuc/{slug}",
        )?,
        category_path: path(
            "BANTIN_PORTAL_CATEGORY_PATH",
            file.portal_category_path.as_deref(),
            "/chuyen-muc/{slug}",
        )?,
    })
}
