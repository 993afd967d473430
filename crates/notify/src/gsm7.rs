//! The GSM 7-bit alphabet (3GPP TS 23.038): what fits in a 160-character SMS.
//!
//! One character outside it turns the whole message into UCS-2, where a
//! segment holds only 70 characters, so the invitation would cost two or
//! three SMS. Our own wording uses only GSM-7 (umlauts and ß are in it);
//! the technician's name is folded to GSM-7 where that keeps it readable
//! (`Łukasz` → `Lukasz`) and left as it is otherwise (a Cyrillic name stays
//! Cyrillic: a longer SMS is better than a name of question marks).

/// The basic character set, one septet each.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table, reached through an escape: two septets each.
const EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets `c` takes in GSM-7, or `None` if it is not in the alphabet.
fn septets(c: char) -> Option<usize> {
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Whether the whole text can be sent as GSM-7.
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| septets(c).is_some())
}

/// How many SMS segments the text takes: 160 septets in one, 153 per part
/// when concatenated; in UCS-2 70 and 67 UTF-16 units.
pub fn sms_segments(text: &str) -> usize {
    let (units, single, multi) = match text.chars().map(septets).sum::<Option<usize>>() {
        Some(septets) => (septets, 160, 153),
        None => (text.encode_utf16().count(), 70, 67),
    };
    if units <= single {
        1
    } else {
        units.div_ceil(multi)
    }
}

/// The text with letters outside GSM-7 replaced by their closest GSM-7
/// form where there is an obvious one; other characters are kept.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if septets(c).is_some() {
            out.push(c);
        } else if let Some(replacement) = replacement(c) {
            out.push_str(replacement);
        } else {
            out.push(c);
        }
    }
    out
}

fn replacement(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'â' | 'ã' | 'ā' | 'ă' | 'ą' => "a",
        'Á' | 'Â' | 'Ã' | 'À' | 'Ā' | 'Ă' | 'Ą' => "A",
        'ç' | 'ć' | 'č' | 'ĉ' => "c",
        'Ć' | 'Č' | 'Ĉ' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'È' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'Í' | 'Î' | 'Ï' | 'Ì' | 'Ī' | 'Į' | 'İ' => "I",
        'ğ' => "g",
        'Ğ' => "G",
        'ł' | 'ľ' | 'ĺ' => "l",
        'Ł' | 'Ľ' | 'Ĺ' => "L",
        'ń' | 'ň' => "n",
        'Ń' | 'Ň' => "N",
        'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
        'Ó' | 'Ô' | 'Õ' | 'Ò' | 'Ō' | 'Ő' => "O",
        'ŕ' | 'ř' => "r",
        'Ŕ' | 'Ř' => "R",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ť' | 'ţ' | 'ț' => "t",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ú' | 'û' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ú' | 'Û' | 'Ù' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        '‘' | '’' | '‚' | '´' | '`' => "'",
        '“' | '”' | '„' | '«' | '»' => "\"",
        '‐' | '‑' | '–' | '—' => "-",
        '…' => "...",
        '\u{a0}' | '\u{202f}' => " ",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_is_gsm7() {
        assert!(is_gsm7("Grüße aus Köln, Äpfel, Öl, Übung, Straße"));
        assert!(!is_gsm7("„Zitat“"));
        assert!(!is_gsm7("Иван"));
    }

    #[test]
    fn counts_segments() {
        assert_eq!(sms_segments(&"a".repeat(160)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        assert_eq!(sms_segments(&"a".repeat(306)), 2);
        assert_eq!(sms_segments(&"€".repeat(80)), 1);
        assert_eq!(sms_segments(&"€".repeat(81)), 2);
        assert_eq!(sms_segments(&"И".repeat(70)), 1);
        assert_eq!(sms_segments(&"И".repeat(71)), 2);
    }

    #[test]
    fn folds_names_it_can_and_keeps_the_others() {
        assert_eq!(fold("Łukasz Wiśniewski"), "Lukasz Wisniewski");
        assert_eq!(fold("Zoë Ça Müller"), "Zoe Ça Müller");
        assert_eq!(fold("„Max“ – Support"), "\"Max\" - Support");
        assert_eq!(fold("Иван"), "Иван");
    }
}
