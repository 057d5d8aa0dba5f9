use super::*;

fn load(vars: &[(&str, &str)], file: Option<&str>) -> Result<Config, ConfigError> {
    let env = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_sources(&env, file, Path::new("bantin.toml"))
}

#[test]
fn defaults_are_safe() {
    let c = load(&[], None).unwrap();
    assert_eq!(c.bind_addrs, ["127.0.0.1:8080".parse().unwrap()]);
    assert_eq!(c.data_dir, PathBuf::from("./data"));
    assert_eq!(c.public_url, "http://127.0.0.1:8080");
    assert!(c.jwt_secret.is_none() && c.database_url.is_none() && c.cors_origins.is_empty());
    assert_eq!(c.log_format, LogFormat::Pretty);
    assert_eq!(c.media.backend, MediaBackend::Local);
    assert_eq!(c.media.public_url, "http://127.0.0.1:8080/media/");
    assert_eq!(c.media.max_bytes, 20 * 1024 * 1024);
    assert_eq!(c.media.max_pixels, 50_000_000);
    assert_eq!(c.media.memory_mib, 448);
}

#[test]
fn s3_needs_a_bucket_and_points_urls_at_it() {
    let e = load(&[("BANTIN_MEDIA_BACKEND", "s3")], None).unwrap_err();
    assert_eq!(e.name, "BANTIN_S3_BUCKET");
    let c = load(
        &[
            ("BANTIN_MEDIA_BACKEND", "s3"),
            ("BANTIN_S3_BUCKET", "anh"),
            ("BANTIN_S3_ENDPOINT", "http://127.0.0.1:9000/"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(c.media.public_url, "http://127.0.0.1:9000/anh/");
    let c = load(
        &[
            ("BANTIN_MEDIA_BACKEND", "s3"),
            ("BANTIN_S3_BUCKET", "anh"),
            ("BANTIN_MEDIA_PUBLIC_URL", "https://cdn.laichau.gov.vn/anh"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(c.media.public_url, "https://cdn.laichau.gov.vn/anh/");
}

#[test]
fn unknown_variable_is_named() {
    let e = load(&[("BANTIN_BINDD", "x")], None).unwrap_err();
    assert_eq!(e.name, "BANTIN_BINDD");
}

#[test]
fn invalid_values_are_named() {
    for (name, value) in [
        ("BANTIN_BIND", "localhost"),
        ("BANTIN_LOG_FORMAT", "xml"),
        ("BANTIN_JWT_SECRET", "short"),
        ("BANTIN_CORS_ORIGINS", "example.com"),
        ("BANTIN_TRUSTED_PROXIES", "10.0.0.300"),
        ("BANTIN_PUBLIC_URL", "ftp://x"),
        ("BANTIN_ADMIN_EMAIL", "not-an-email"),
        ("BANTIN_ADMIN_PASSWORD", "short"),
        ("BANTIN_DB_POOL_SIZE", "0"),
        ("BANTIN_ACCESS_TOKEN_TTL", "ten"),
        ("BANTIN_MEDIA_BACKEND", "ftp"),
        ("BANTIN_MEDIA_MAX_BYTES", "10"),
        ("BANTIN_MEDIA_PUBLIC_URL", "cdn.example.vn"),
    ] {
        let e = load(&[(name, value)], None).unwrap_err();
        assert_eq!(e.name, name, "{value}");
    }
}

#[test]
fn bind_takes_addresses_and_host_names() {
    let c = load(&[("BANTIN_BIND", "[::1]:8081")], None).unwrap();
    assert_eq!(c.bind_addrs, ["[::1]:8081".parse().unwrap()]);
    assert_eq!(c.public_url, "http://[::1]:8081");

    // A name listens on what it resolves to, and links keep the name.
    let c = load(&[("BANTIN_BIND", "localhost:8082")], None).unwrap();
    assert!(!c.bind_addrs.is_empty(), "localhost resolves");
    assert!(
        c.bind_addrs
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8082),
        "{:?}",
        c.bind_addrs
    );
    assert_eq!(c.public_url, "http://localhost:8082");
    assert_eq!(c.media.public_url, "http://localhost:8082/media/");

    for bad in [
        "localhost",
        "localhost:",
        ":8080",
        "localhost:http",
        "localhost:70000",
    ] {
        let e = load(&[("BANTIN_BIND", bad)], None).unwrap_err();
        assert_eq!(e.name, "BANTIN_BIND", "{bad}");
        assert!(e.message.contains("host:port"), "{bad}: {}", e.message);
    }
    // RFC 6761: `.invalid` names never resolve.
    let e = load(&[("BANTIN_BIND", "bantin.invalid:8080")], None).unwrap_err();
    assert_eq!(e.name, "BANTIN_BIND");
    assert!(e.message.contains("cannot resolve"), "{}", e.message);
}

#[test]
fn file_is_read_and_environment_wins() {
    let file =
        "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\ncors_origins = [\"https://a.vn\"]\n";
    let c = load(&[("BANTIN_LOG_FORMAT", "pretty")], Some(file)).unwrap();
    assert_eq!(c.bind_addrs, ["0.0.0.0:9000".parse().unwrap()]);
    assert_eq!(c.public_url, "http://127.0.0.1:9000");
    assert_eq!(c.log_format, LogFormat::Pretty);
    assert_eq!(c.cors_origins, vec!["https://a.vn".to_string()]);
}

#[test]
fn unknown_file_key_is_refused() {
    let e = load(&[], Some("bindd = \"x\"")).unwrap_err();
    assert_eq!(e.name, "BANTIN_CONFIG");
    assert!(e.message.contains("bindd"), "{}", e.message);
}

#[test]
fn secrets_do_not_show_in_debug() {
    let c = load(
        &[(
            "BANTIN_JWT_SECRET",
            "0123456789abcdef0123456789abcdef-secret",
        )],
        None,
    )
    .unwrap();
    assert!(!format!("{c:?}").contains("0123456789abcdef"));
}
