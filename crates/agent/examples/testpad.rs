//! A test fixture for the end-to-end tests: a 1280×720 window at (0,0) with
//! a known picture (four coloured quadrants and a white square in the
//! middle) that reports on stdout, as JSON lines, every character typed into
//! it and every click on it. Not part of the product.

use std::io::Write as _;

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ChangeGCAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, InputFocus, ModMask,
    Rectangle, WindowClass,
};

const W: u16 = 1280;
const H: u16 = 720;
const QUADRANTS: [(i16, i16, u32); 4] = [
    (0, 0, 0xE53935),
    (640, 0, 0x1E88E5),
    (0, 360, 0x43A047),
    (640, 360, 0xFDD835),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (conn, screen_num) = x11rb::connect(None)?;
    let screen = &conn.setup().roots[screen_num];
    let win = conn.generate_id()?;
    conn.create_window(
        screen.root_depth,
        win,
        screen.root,
        0,
        0,
        W,
        H,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .background_pixel(screen.black_pixel)
            .override_redirect(1)
            .event_mask(
                EventMask::EXPOSURE
                    | EventMask::KEY_PRESS
                    | EventMask::BUTTON_PRESS
                    | EventMask::STRUCTURE_NOTIFY,
            ),
    )?;
    let gc = conn.generate_id()?;
    conn.create_gc(gc, win, &CreateGCAux::new())?;
    conn.map_window(win)?;
    conn.flush()?;
    let mut out = std::io::stdout().lock();
    loop {
        match conn.wait_for_event()? {
            Event::MapNotify(_) => {
                draw(&conn, win, gc)?;
                conn.set_input_focus(InputFocus::POINTER_ROOT, win, x11rb::CURRENT_TIME)?;
                conn.get_input_focus()?.reply()?;
                writeln!(out, r#"{{"event":"ready"}}"#)?;
                out.flush()?;
            }
            Event::Expose(_) => draw(&conn, win, gc)?,
            Event::KeyPress(k) => {
                // Ask for the mapping now: the injector may have bound a spare
                // keycode to this character just for this key press.
                let map = conn.get_keyboard_mapping(k.detail, 1)?.reply()?;
                let per = usize::from(map.keysyms_per_keycode);
                let shift = u16::from(k.state) & u16::from(ModMask::SHIFT) != 0;
                let syms = &map.keysyms[..per.min(map.keysyms.len())];
                let sym = match (shift, syms.get(1).copied()) {
                    (true, Some(s)) if s != 0 => s,
                    _ => syms.first().copied().unwrap_or(0),
                };
                if let Some(c) = keysym_char(sym) {
                    let text = serde_json_escape(c);
                    writeln!(out, r#"{{"event":"key","text":"{text}"}}"#)?;
                    out.flush()?;
                }
            }
            Event::ButtonPress(b) => {
                writeln!(
                    out,
                    r#"{{"event":"button","button":{},"x":{},"y":{}}}"#,
                    b.detail, b.event_x, b.event_y
                )?;
                out.flush()?;
            }
            _ => {}
        }
    }
}

fn draw(conn: &impl Connection, win: u32, gc: u32) -> Result<(), Box<dyn std::error::Error>> {
    for (x, y, colour) in QUADRANTS {
        conn.change_gc(gc, &ChangeGCAux::new().foreground(colour))?;
        conn.poly_fill_rectangle(
            win,
            gc,
            &[Rectangle {
                x,
                y,
                width: 640,
                height: 360,
            }],
        )?;
    }
    conn.change_gc(gc, &ChangeGCAux::new().foreground(0xFFFFFF))?;
    conn.poly_fill_rectangle(
        win,
        gc,
        &[Rectangle {
            x: 590,
            y: 310,
            width: 100,
            height: 100,
        }],
    )?;
    conn.flush()?;
    Ok(())
}

/// The character a keysym types, for printable keysyms.
fn keysym_char(sym: u32) -> Option<char> {
    match sym {
        0x20..=0x7e | 0xa0..=0xff => char::from_u32(sym),
        0x0100_0100..=0x0110_ffff => char::from_u32(sym - 0x0100_0000),
        0x20ac => Some('€'),
        _ => None,
    }
}

fn serde_json_escape(c: char) -> String {
    match c {
        '"' => "\\\"".into(),
        '\\' => "\\\\".into(),
        c => c.to_string(),
    }
}
