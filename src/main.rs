#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
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

/// The settings first: a wrong one stops everything, before any log line.
#[cfg(feature = "ssr")]
async fn run() -> Result<(), vitrine::error::AppError> {
    use clap::Parser;
    use vitrine::server::cli::{self, Cli, Task};
    let cli = Cli::parse();
    let settings = cli.settings()?;
    logs::init(&settings);
    match cli::run(cli, settings).await? {
        Task::Serve { config, demo } => vitrine::serve::serve(*config, demo).await,
        Task::Done => Ok(()),
    }
}

/// Log lines on standard error, each with the instance's name, as text or
/// as JSON (`log_format`); `RUST_LOG` filters them (default `info`).
#[cfg(feature = "ssr")]
mod logs {
    use tracing::{Event, Subscriber};
    use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, Writer};
    use tracing_subscriber::fmt::FmtContext;
    use tracing_subscriber::registry::LookupSpan;
    use tracing_subscriber::EnvFilter;
    use vitrine::server::config::{LogFormat, Settings};

    pub fn init(settings: &Settings) {
        let instance = settings.instance();
        let logs = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
            .with_writer(std::io::stderr);
        match settings.log_format.unwrap_or_default() {
            LogFormat::Text => {
                logs.event_format(Named { instance, json: false, inner: format::Format::default() }).init()
            }
            LogFormat::Json => {
                logs.json().event_format(Named { instance, json: true, inner: format::Format::default().json() }).init()
            }
        }
    }

    /// Another format's lines with `instance` added: first on a text line,
    /// the first key of a JSON object.
    struct Named<F> {
        instance: String,
        json: bool,
        inner: F,
    }

    impl<S, N, F> FormatEvent<S, N> for Named<F>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
        F: FormatEvent<S, N>,
    {
        fn format_event(
            &self,
            ctx: &FmtContext<'_, S, N>,
            mut writer: Writer<'_>,
            event: &Event<'_>,
        ) -> std::fmt::Result {
            if !self.json {
                write!(writer, "{} ", self.instance)?;
                return self.inner.format_event(ctx, writer, event);
            }
            let mut line = String::new();
            self.inner.format_event(ctx, Writer::new(&mut line), event)?;
            let rest = line.strip_prefix('{').ok_or(std::fmt::Error)?;
            let name = serde_json::to_string(&self.instance).map_err(|_| std::fmt::Error)?;
            write!(writer, "{{\"instance\":{name},{rest}")
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The binary is built with `ssr`; the wasm side starts from `lib.rs`.
}
