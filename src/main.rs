//! The `bantin` command: serve the API, apply migrations, create an admin, print the spec.

use std::io::BufRead;
use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;

use bantin::bootstrap::{Database, FirstAdmin};
use bantin::config::{Config, VARIABLES};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bantin",
    version,
    about = "Bantin: a headless CMS for news and official-document portals"
)]
#[command(after_help = settings_help())]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API (with no DATABASE_URL, on a private PostgreSQL
    /// cluster kept in $BANTIN_DATA_DIR/postgres). Ctrl-C or SIGTERM finish the requests in
    /// flight, then stop; a second Ctrl-C stops at once.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Create an admin (or make an existing account an enabled admin). The password is read
    /// from standard input, one line, at least 12 characters.
    CreateAdmin {
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// The name shown for the admin.
        #[arg(long, default_value = "Administrator")]
        display_name: String,
    },
    /// Load the demo content (one page of the Lai Châu People's Council portal: site
    /// settings, categories, articles, photos, organisations, signatories and agreements)
    /// after applying migrations, then print commands to try it; running it again changes
    /// nothing.
    SeedDemo,
    /// Print the OpenAPI document (`bantin openapi > openapi/openapi.json`).
    Openapi,
}

fn settings_help() -> String {
    let mut text =
        String::from("Settings (environment variables, or the same keys in ./bantin.toml):\n");
    for (name, default, meaning) in VARIABLES {
        text.push_str(&format!("  {name:<26} {meaning} [default: {default}]\n"));
    }
    text
}

/// Makes freed image buffers leave the process at once. glibc's default threshold adapts
/// upwards (to 32 MiB) and each of its arenas (one per thread that allocates at once, up to
/// 8 per core) then keeps up to twice that free for reuse: decoded images freed on one
/// blocking thread stayed resident while the next image was decoded on another, and 8
/// progressive 48 MP JPEGs, decoded one at a time, peaked at 745 MB instead of about 480.
fn return_big_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        /// Allocations from this size on are mapped on their own and go back to the system as
        /// soon as they are freed.
        const MMAP_THRESHOLD: i32 = 4 * 1024 * 1024;
        // SAFETY: mallopt only sets a parameter of the allocator; it is called first thing in
        // main, before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

fn main() -> ExitCode {
    return_big_buffers_to_the_system();
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", bantin::openapi_json());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bantin: {e}");
            return ExitCode::from(2);
        }
    };
    bantin::telemetry::init(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bantin: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => serve(config).await,
            Command::Migrate => {
                with_database(&config, |url| async move { migrate(&url).await }).await
            }
            Command::CreateAdmin {
                email,
                display_name,
            } => {
                let password = read_password()?;
                with_database(&config, |url| async move {
                    migrate(&url).await?;
                    let created =
                        bantin::bootstrap::create_admin(&url, &email, &password, &display_name)
                            .await?;
                    println!(
                        "{} admin {email}",
                        if created { "created" } else { "updated" }
                    );
                    Ok(())
                })
                .await
            }
            Command::SeedDemo => {
                let config = &config;
                with_database(config, |url| async move {
                    migrate(&url).await?;
                    let first_admin = bantin::bootstrap::first_admin(&url, config).await?;
                    let report = bantin::seed::seed_demo(&url, config).await?;
                    for line in report.lines(&config.public_url) {
                        println!("{line}");
                    }
                    println!(
                        "The editors' desk: {}/admin/ (once `bantin serve` runs)",
                        config.public_url
                    );
                    match first_admin {
                        FirstAdmin::Generated { email, password } => println!(
                            "first run: created admin {email} with password {password} (shown once)"
                        ),
                        FirstAdmin::Configured { email } => println!(
                            "first run: created admin {email} with the password in BANTIN_ADMIN_PASSWORD"
                        ),
                        FirstAdmin::NotNeeded => {}
                    }
                    Ok(())
                })
                .await
            }
            Command::Openapi => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Once: as a log line (JSON with BANTIN_LOG_FORMAT=json), or plainly when RUST_LOG
            // hides errors.
            if tracing::enabled!(tracing::Level::ERROR) {
                tracing::error!("{e}");
            } else {
                eprintln!("bantin: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn migrate(url: &str) -> Result<(), String> {
    let applied = bantin::db::run_migrations(url).await?;
    if applied.is_empty() {
        tracing::info!("database schema is up to date");
    } else {
        tracing::info!(count = applied.len(), migrations = ?applied, "applied migrations");
    }
    Ok(())
}

/// Runs `task` against the database, stopping the local cluster afterwards whatever happens.
async fn with_database<F, Fut>(config: &Config, task: F) -> Result<(), String>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let db = Database::open(config).await?;
    let result = task(db.url()).await;
    db.close().await;
    result
}

/// Listens on every address of `BANTIN_BIND`. An address of a host name that this machine
/// cannot listen on (`::1` with IPv6 off) is skipped with a warning while another one works;
/// an address in use never is: another program would answer part of the clients.
fn listen(config: &Config) -> Result<Vec<TcpListener>, String> {
    let bind = &config.bind;
    let mut listeners = Vec::new();
    let mut skipped = Vec::new();
    for addr in &config.bind_addrs {
        match TcpListener::bind(addr) {
            Ok(listener) => listeners.push(listener),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse || config.bind_addrs.len() == 1 => {
                return Err(format!("BANTIN_BIND {bind}: cannot listen on {addr}: {e}"));
            }
            Err(e) => skipped.push(format!("{addr}: {e}")),
        }
    }
    if listeners.is_empty() {
        let skipped = skipped.join("; ");
        return Err(format!("BANTIN_BIND {bind}: cannot listen: {skipped}"));
    }
    for reason in skipped {
        tracing::warn!("BANTIN_BIND {bind}: not listening on {reason}");
    }
    Ok(listeners)
}

async fn serve(config: Config) -> Result<(), String> {
    let listeners = listen(&config)?;
    let db = Database::open(&config).await?;
    let result = serve_on(config, listeners, &db).await;
    db.close().await;
    result
}

/// Removes, in the background, the temporary files of uploads that a crash interrupted
/// (older than [`storage::STALE_TEMP_AGE`], so that writes in flight on another replica
/// sharing the data dir are left alone).
fn sweep_temporary_files(state: &bantin::state::AppState) {
    use bantin::storage;
    let tmp_dir = state.config.data_dir.join("tmp");
    let media_root = state.media_store.local_root().map(Path::to_path_buf);
    tokio::task::spawn_blocking(move || {
        let removed = storage::sweep_stale_temp_files(
            &tmp_dir,
            media_root.as_deref(),
            storage::STALE_TEMP_AGE,
        );
        if removed > 0 {
            tracing::info!(
                removed,
                "removed temporary files left by interrupted uploads"
            );
        }
    });
}

async fn serve_on(
    config: Config,
    listeners: Vec<TcpListener>,
    db: &Database,
) -> Result<(), String> {
    let url = db.url();
    migrate(&url).await?;
    let secret =
        bantin::auth::jwt::load_or_create_secret(config.jwt_secret.as_ref(), &config.data_dir)?;
    let first_admin = bantin::bootstrap::first_admin(&url, &config).await?;
    let public_url = config.public_url.clone();
    let state = bantin::state(config, &url, &secret)?;
    sweep_temporary_files(&state);
    let server = bantin::serve_all(listeners, state).map_err(|e| e.to_string())?;
    tracing::info!(url = %public_url, "Bantin is listening");
    println!("\nBantin is running at {public_url}");
    println!("  Desk:       {public_url}/admin/  (the editors' web interface)");
    println!("  API docs:   {public_url}/docs/");
    println!("  OpenAPI:    {public_url}/openapi.json");
    match first_admin {
        FirstAdmin::Generated { email, password } => {
            println!("  First run:  created admin {email} with password {password}");
            println!(
                "              (shown once; sign in at {public_url}/admin/ and change it under \"Tài khoản của tôi\")"
            );
            println!(
                "  Log in:     curl -s {public_url}/api/v1/auth/login -H 'Content-Type: application/json' \\"
            );
            println!(
                "                -d '{{\"email\": \"{email}\", \"password\": \"{password}\"}}'"
            );
        }
        FirstAdmin::Configured { email } => {
            println!(
                "  First run:  created admin {email} with the password in BANTIN_ADMIN_PASSWORD"
            );
        }
        FirstAdmin::NotNeeded => {
            println!(
                "  Log in:     POST {public_url}/api/v1/auth/login {{\"email\": …, \"password\": …}}"
            );
        }
    }
    println!("  Stop:       Ctrl-C\n");
    let watchdog = tokio::spawn(bantin::db::watch(url));
    let result = run_until_stopped(server).await;
    // Before the database stops, which it would report.
    watchdog.abort();
    let _ = watchdog.await;
    result?;
    tracing::info!("Bantin stopped");
    Ok(())
}

/// Runs the server until a signal stops it. SIGINT (Ctrl-C) and SIGTERM stop it gracefully:
/// no new connections, requests in flight finish (up to the server's shutdown timeout). A
/// second SIGINT, or SIGQUIT, stops it at once, cutting what is in flight. actix's own
/// handling treats SIGINT as an immediate stop, hence `disable_signals` in [`bantin::serve`].
async fn run_until_stopped(server: actix_web::dev::Server) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen =
        |kind: SignalKind| signal(kind).map_err(|e| format!("cannot listen for signals: {e}"));
    let mut interrupt = listen(SignalKind::interrupt())?;
    let mut terminate = listen(SignalKind::terminate())?;
    let mut quit = listen(SignalKind::quit())?;
    let handle = server.handle();
    let mut server = Box::pin(server);
    let mut stopping = false;
    let stop_gracefully = |name: &str| {
        tracing::info!(
            "{name} received; finishing the requests in flight (Ctrl-C again to stop at once)"
        );
        tokio::spawn(handle.stop(true));
    };
    loop {
        tokio::select! {
            result = &mut server => return result.map_err(|e| e.to_string()),
            _ = terminate.recv() => {
                if !std::mem::replace(&mut stopping, true) {
                    stop_gracefully("SIGTERM");
                }
            }
            _ = interrupt.recv() => {
                if std::mem::replace(&mut stopping, true) {
                    tracing::warn!("SIGINT received again; stopping at once");
                    break;
                }
                stop_gracefully("SIGINT");
            }
            _ = quit.recv() => {
                tracing::warn!("SIGQUIT received; stopping at once");
                break;
            }
        }
    }
    // Dropping the server stops its workers at once, closing the connections they hold.
    drop(server);
    Ok(())
}
