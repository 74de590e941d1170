//! Running the router: plain HTTP or rustls TLS, client addresses for rate limits, and graceful shutdown that
//! stops accepting on SIGTERM / Ctrl-C and lets in-flight requests finish.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// Serves plain HTTP on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve_http(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves HTTPS with rustls on `addr` until `shutdown` resolves, then gives in-flight requests `grace`.
pub async fn serve_tls(
    addr: SocketAddr,
    router: Router,
    cert: &std::path::Path,
    key: &std::path::Path,
    grace: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let _ = rustls_provider();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        h.graceful_shutdown(Some(grace));
    });
    axum_server::bind_rustls(addr, config)
        .handle(handle)
        .serve(router.into_make_service_with_connect_info::<SocketAddr>())
        .await
}

/// rustls needs one process-wide crypto provider when more than one is compiled in (the MongoDB driver and
/// axum-server pull in different ones); installing twice is harmless.
fn rustls_provider() -> Result<(), ()> {
    rustls::crypto::ring::default_provider().install_default().map_err(|_| ())
}
