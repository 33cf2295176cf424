//! The API's English messages on the pages: a Chinese page words a field error of the domain
//! and a refusal of the store in Chinese, values and all; an English page shows them as the
//! API wrote them.

use chrono::Duration;
use hourbook_tests::{SITE, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn a_field_error_of_the_domain_is_worded_in_the_pages_language(app: TestApp) {
    let user = app.register("Li Wei").await;
    let profile = [
        ("birth_date", "2000-03-15"),
        ("lat", "31.24"),
        ("lon", "121.40"),
        ("travel_radius_km", "500"),
    ];
    let zh = app.visitor();
    zh.log_in(&user.email, PASSWORD).await;
    let r = zh
        .submit("/me/profile", "/me/profile", &profile)
        .await
        .expect(422);
    assert!(
        r.text.contains("id=\"travel_radius_km-error\""),
        "{}",
        r.text
    );
    assert!(r.text.contains("须在 0.1 到 200 之间"), "{}", r.text);
    assert!(!r.text.contains("must be between"), "{}", r.text);

    let en = app.visitor().with_header("accept-language", "en");
    en.log_in(&user.email, PASSWORD).await;
    let r = en
        .submit("/me/profile", "/me/profile", &profile)
        .await
        .expect(422);
    assert!(r.text.contains("must be between 0.1 and 200"), "{}", r.text);
    assert!(!r.text.contains("须在"), "{}", r.text);
}

/// The number between `before` and `after` in `text`.
fn between<'t>(text: &'t str, before: &str, after: &str) -> &'t str {
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} in {text}"))
        + before.len();
    let len = text[start..]
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} in {text}"));
    &text[start..start + len]
}

async fn a_refusal_of_the_store_is_worded_with_its_values(app: TestApp) {
    let b = app
        .booking("community", false, Duration::hours(2), 3, "王芳")
        .await;
    app.clock.advance(Duration::minutes(90));
    let shift_page = format!("/shifts/{}", b.shift);
    let check_in = format!("/signups/{}/check-in", b.signup);
    // About 1.1 km from the site: outside the geofence.
    let far = (SITE.0 + 0.01).to_string();
    let lon = SITE.1.to_string();
    let fields = [("shift", b.shift.as_str()), ("lat", &far), ("lon", &lon)];

    let en = app.visitor().with_header("accept-language", "en");
    en.log_in(&b.volunteer.email, PASSWORD).await;
    let english = en
        .submit(&shift_page, &check_in, &fields)
        .await
        .expect(422)
        .text;
    let distance = between(&english, "you are ", " m from the shift");
    let geofence = between(&english, "check in within ", " m");
    assert!(distance.parse::<u32>().is_ok_and(|m| m > 1000), "{english}");
    assert!(geofence.parse::<u32>().is_ok(), "{english}");

    let zh = app.visitor();
    zh.log_in(&b.volunteer.email, PASSWORD).await;
    let chinese = zh
        .submit(&shift_page, &check_in, &fields)
        .await
        .expect(422)
        .text;
    assert!(chinese.contains("id=\"location-error\""), "{chinese}");
    assert!(
        chinese.contains(&format!(
            "你距离岗位 {distance} 米，须在 {geofence} 米以内签到"
        )),
        "{chinese}"
    );
    assert!(!chinese.contains("from the shift"), "{chinese}");
}

hourbook_tests::backend_tests!(
    a_field_error_of_the_domain_is_worded_in_the_pages_language,
    a_refusal_of_the_store_is_worded_with_its_values,
);
