//! `clinic-server`: the binary. See `clinic-server --help`.

use std::process::ExitCode;

use clap::Parser;
use clinic_server::cli::{Cli, Command, LogFormat, ServeArgs};

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLINIC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Every log line passes through the redactor: a secret a library quotes never reaches the output.
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(clinic_server::secrets::RedactingStderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
        LogFormat::Text => builder.init(),
    }
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    init_logs(cli.log_format);
    if let Err(e) = cli.storage.resolve_secret_files() {
        eprintln!("error: {}", clinic_server::secrets::redact(&e));
        return ExitCode::FAILURE;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    match rt.block_on(clinic_server::commands::run(&cli.storage, command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", clinic_server::secrets::redact(&e));
            ExitCode::FAILURE
        }
    }
}
