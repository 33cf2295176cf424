//! What the server keeps current in the background while it runs.

use crate::state::AppState;

/// Keeps things current while the server runs, every `index_rebuild_seconds` until `shutdown`
/// is set: rebuilds the open-shift index, sweeps expired invitations, and closes check-outs
/// volunteers forgot (at the shift's end, once `rules.grace_minutes` have passed).
pub async fn run_upkeep(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let period =
        std::time::Duration::from_secs(state.settings.matching.index_rebuild_seconds.max(1));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = shutdown.changed() => return,
        }
        if let Err(e) = state.rebuild_shift_index().await {
            tracing::warn!(error = %e, "could not rebuild the open-shift index");
        }
        crate::matching::sweep_invitations(&state).await;
        match state
            .store
            .close_forgotten_check_outs(state.rules.grace, state.clock.now())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                closed = n,
                "closed forgotten check-outs at their shifts' end"
            ),
            Err(e) => tracing::warn!(error = %e, "could not close forgotten check-outs"),
        }
    }
}
