//! Loading the demo district.

use crate::state::AppState;
use hourbook_domain::demo;
use hourbook_store::demo::DemoSummary;

/// Generates the district from the configured seed and loads it unless it is there already.
pub async fn load(state: &AppState) -> anyhow::Result<DemoSummary> {
    let settings = &state.settings.demo;
    let now = state.clock.now();
    let today = now.with_timezone(&state.rules.timezone).date_naive();
    let district = demo::generate(settings.seed, today, settings.volunteers);
    // One hash for every demo account: hashing hundreds of passwords would take minutes.
    let hash = state.hash_password(settings.password.clone()).await?;
    let key = state.settings.privacy.id_hash_key.as_bytes();
    Ok(state.store.load_demo(&district, &hash, key, now).await?)
}

/// The demo accounts worth printing, with what each can do.
pub fn logins() -> [(&'static str, &'static str); 4] {
    [
        (demo::DEMO_VOLUNTEER_EMAIL, "volunteer / 志愿者"),
        (
            demo::DEMO_ORGANIZER_EMAIL,
            "organizer, League committee / 团区委组织者",
        ),
        (
            demo::DEMO_CENTRE_EMAIL,
            "organizer, community centre / 社区中心组织者",
        ),
        (demo::DEMO_VERIFIER_EMAIL, "school verifier / 学校审核员"),
    ]
}
