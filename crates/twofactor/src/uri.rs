//! The enrolment link (`otpauth://` Key URI) and its QR code as SVG.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::totp::{DIGITS, STEP_SECS};
use crate::{Secret, TotpError};

/// Everything except RFC 3986 unreserved characters and `@` is encoded: `:`
/// must not appear inside the issuer or account (it separates them in the
/// label), and `&`, `=`, `+`, `#`, `?` and `/` would change the URI's
/// structure. `@` is legal in both path and query and left readable for
/// e-mail addresses, as in Google's Key URI examples.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// The Key URI that authenticator apps read from the QR code:
/// `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
///
/// The issuer appears both in the label (for older apps) and as the `issuer`
/// parameter (which newer apps prefer); both are percent-encoded, spaces as
/// `%20`.
pub fn otpauth_uri(secret: &Secret, issuer: &str, account: &str) -> String {
    let issuer = utf8_percent_encode(issuer, COMPONENT);
    let account = utf8_percent_encode(account, COMPONENT);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        secret = secret.to_base32(),
    )
}

/// A QR code of `uri` as an SVG document (without the XML declaration, so it
/// can be inlined in HTML or served as `image/svg+xml`): black modules on
/// white with the standard quiet zone, at least 256 pixels wide, scaling with
/// its `viewBox`.
///
/// Error correction level M (15 %): enough for a screen with some glare or a
/// phone held at an angle, while keeping the modules of a ~120-character URI
/// large. Fails only if the URI is too long for any QR code.
pub fn qr_svg(uri: &str) -> Result<String, TotpError> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|_| TotpError::TooLongForQr)?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    // The renderer starts with `<?xml …?>`, which does not belong in HTML.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> Secret {
        Secret::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn uri_has_every_parameter_apps_need() {
        assert_eq!(
            otpauth_uri(&rfc_secret(), "Tether", "alice@example.com"),
            "otpauth://totp/Tether:alice@example.com\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Tether\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn uri_percent_encodes_names() {
        let uri = otpauth_uri(&rfc_secret(), "ACME Co: Support", "Jörg & Ann/IT?#+=");
        assert!(
            uri.starts_with(
                "otpauth://totp/ACME%20Co%3A%20Support:J%C3%B6rg%20%26%20Ann%2FIT%3F%23%2B%3D?"
            ),
            "{uri}"
        );
        assert!(uri.contains("&issuer=ACME%20Co%3A%20Support&"), "{uri}");
        // Exactly one `?`, one label separator `:` after the scheme.
        assert_eq!(uri.matches('?').count(), 1);
        assert_eq!(uri.matches(':').count(), 2);
    }

    #[test]
    fn qr_svg_is_an_inline_svg_document() {
        let uri = otpauth_uri(&rfc_secret(), "Tether", "alice@example.com");
        let svg = qr_svg(&uri).expect("fits");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("viewBox="));
        assert!(svg.contains("<path fill=\"#000000\" d=\"M"));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn qr_svg_scans_back_to_the_uri() {
        let uri = otpauth_uri(&Secret::generate(), "Tether Support", "jörg@example.com");
        let svg = qr_svg(&uri).expect("fits");
        let (width, height, dark) = rasterise(&svg);
        let mut image =
            rqrr::PreparedImage::prepare_from_bitmap(width, height, |x, y| dark[y * width + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("the symbol decodes");
        assert_eq!(content, uri);
    }

    /// Paints the one `<path>` of the renderer's output, a list of rectangles
    /// `M{left} {top}h{width}v{height}H{left}V{top}`, into a bitmap.
    fn rasterise(svg: &str) -> (usize, usize, Vec<bool>) {
        let attribute = |name: &str| -> usize {
            let start = svg.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
            let end = start + svg[start..].find('"').expect("closing quote");
            svg[start..end].parse().expect("a number")
        };
        let (width, height) = (attribute("width"), attribute("height"));
        let mut dark = vec![false; width * height];
        let start = svg.find(" d=\"").expect("a path") + 4;
        let end = start + svg[start..].find('"').expect("closing quote");
        for rect in svg[start..end].split('M').filter(|r| !r.is_empty()) {
            let numbers: Vec<usize> = rect
                .split(['h', 'v', 'H', 'V', ' '])
                .map(|n| n.parse().expect("a number"))
                .collect();
            let [left, top, w, h, ..] = numbers[..] else {
                panic!("unexpected path segment {rect:?}");
            };
            for y in top..top + h {
                for x in left..left + w {
                    dark[y * width + x] = true;
                }
            }
        }
        (width, height, dark)
    }

    #[test]
    fn qr_svg_refuses_what_does_not_fit() {
        let long = "x".repeat(3000);
        assert_eq!(qr_svg(&long), Err(TotpError::TooLongForQr));
    }
}
