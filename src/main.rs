#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use vitrine::server::cli::Task;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let result = match vitrine::server::cli::run() {
        Ok(Task::Serve { config, demo }) => vitrine::serve::serve(*config, demo).await,
        Ok(Task::Done) => Ok(()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let vitrine::error::AppError::Internal(detail) = &e {
                eprintln!("{detail}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The binary is built with `ssr`; the wasm side starts from `lib.rs`.
}
