//! Printing JSON values as JSON.GET does: compact by default, or with its INDENT,
//! NEWLINE and SPACE strings (RedisJSON's formatter: a newline and the indent repeated
//! per level before each array element and object key and before a closing bracket of a
//! non-empty container, the space after each `:`).
//!
//! Doubles are printed by `ryu` (shortest round-trip form: `1.0`, `1e308`, `2.5e-7`),
//! as the serde_json RedisJSON is built with prints them; newer serde_json releases
//! print exponents as `e+18`, so DiskDB does not leave this to serde_json.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// JSON.GET's formatting options; all empty: compact output.
#[derive(Debug, Default, Clone)]
pub struct Style {
    pub indent: Vec<u8>,
    pub newline: Vec<u8>,
    pub space: Vec<u8>,
}


impl Style {
    /// Whether all three are empty: compact output, as the stored text is.
    pub fn is_compact(&self) -> bool {
        self.indent.is_empty() && self.newline.is_empty() && self.space.is_empty()
    }
}

struct Pretty<'a> {
    style: &'a Style,
    level: usize,
    has_value: bool,
}

impl Pretty<'_> {
    fn line<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(&self.style.newline)?;
        for _ in 0..self.level {
            w.write_all(&self.style.indent)?;
        }
        Ok(())
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, c: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(c)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, c: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w)?;
        }
        w.write_all(c)
    }

    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.line(w)
    }
}

impl Formatter for Pretty<'_> {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b":")?;
        w.write_all(&self.style.space)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        w.write_all(ryu::Buffer::new().format_finite(value).as_bytes())
    }
}

/// `v` printed with `style` (all empty: compact).
pub fn print<T: Serialize + ?Sized>(v: &T, style: &Style) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty { style, level: 0, has_value: false });
    // Printing into memory fails only for maps with non-string keys, which JSON values
    // never have.
    let _ = v.serialize(&mut ser);
    out
}

/// `v` printed compact.
pub fn compact<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    print(v, &Style::default())
}

/// A number as RedisJSON prints it alone (NUMINCRBY's legacy reply).
pub fn number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() => ryu::Buffer::new().format_finite(f).to_string(),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn styles_follow_redisjson() {
        let v = json!({"a": [1, {"b": null}], "c": {}, "d": []});
        assert_eq!(print(&v, &Style::default()), br#"{"a":[1,{"b":null}],"c":{},"d":[]}"#);
        let s = Style { indent: b"\t".to_vec(), newline: b"\n".to_vec(), space: b" ".to_vec() };
        let want = "{\n\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"b\": null\n\t\t}\n\t],\n\t\"c\": {},\n\t\"d\": []\n}";
        assert_eq!(String::from_utf8(print(&v, &s)).unwrap(), want);
        let only_space = Style { space: b" ".to_vec(), ..Style::default() };
        assert_eq!(print(&json!({"a": 1, "b": 2}), &only_space), br#"{"a": 1,"b": 2}"#);
        assert_eq!(compact(&json!([1.0, 1e308, 2.5e-7, 9.223372036854776e18, -0.5])), b"[1.0,1e308,2.5e-7,9.223372036854776e18,-0.5]");
    }
}
