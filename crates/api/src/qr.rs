//! QR codes as inline SVG (certificate pages, check-in codes).

use crate::error::ApiError;

/// An SVG QR code of `text`, at least `size` pixels square.
pub fn svg(text: &str, size: u32) -> Result<String, ApiError> {
    Ok(qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| ApiError::Internal(e.into()))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(size, size)
        .build())
}
