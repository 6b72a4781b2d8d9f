//! The dashboard's key bindings, as data.
//!
//! One [`KeyList`] with a field per action and a [`Default`]: the key
//! handler ([`super::app::handle_key`]) asks it which action a key press
//! means, and the `?` screen lists [`KeyList::entries`]. Both read the same
//! table, so the help can never disagree with what the keys do. Changing a
//! binding is changing one line of [`KeyList::default`].
//!
//! A [`Key`] compares its code and its modifiers, ignoring Shift: a capital
//! letter or a `?` already says Shift was held.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::i18n::Lang;

/// One key, with its modifiers (Shift ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn char(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    pub const fn code(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    /// Whether a key press is this key.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let strip = |m: KeyModifiers| m.difference(KeyModifiers::SHIFT);
        self.code == ev.code && strip(self.mods) == strip(ev.modifiers)
    }

    /// How the help screen writes the key, in `lang` (a French keyboard
    /// says Entrée, Échap, Espace).
    pub fn label(&self, lang: Lang) -> String {
        let named = |id: &'static str| lang.t(id);
        let base = match self.code {
            KeyCode::Char(' ') => named("key-name-space"),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => named("key-name-enter"),
            KeyCode::Esc => named("key-name-esc"),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => named("key-name-backtab"),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::PageUp => named("key-name-pgup"),
            KeyCode::PageDown => named("key-name-pgdn"),
            KeyCode::Home => named("key-name-home"),
            KeyCode::End => named("key-name-end"),
            KeyCode::Backspace => named("key-name-backspace"),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// Where a binding applies, for the help screen's grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Move,
    Views,
    Find,
    Mark,
    Act,
    Dialogs,
    General,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::Move,
        Group::Views,
        Group::Find,
        Group::Mark,
        Group::Act,
        Group::Dialogs,
        Group::General,
    ];

    /// The group's title's id in the catalogues.
    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "key-group-move",
            Group::Views => "key-group-views",
            Group::Find => "key-group-find",
            Group::Mark => "key-group-mark",
            Group::Act => "key-group-act",
            Group::Dialogs => "key-group-dialogs",
            Group::General => "key-group-general",
        }
    }
}

/// The keys of one action and what the help screen says about it.
#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub group: Group,
    /// What the help screen says of it: an id in the catalogues.
    pub help: &'static str,
}

impl Binding {
    fn new(group: Group, keys: &[Key], help: &'static str) -> Binding {
        Binding {
            keys: keys.to_vec(),
            group,
            help,
        }
    }

    /// Whether the key press is one of this binding's keys.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        self.keys.iter().any(|k| k.matches(ev))
    }

    /// Which of this binding's keys was pressed (for "1".."5").
    pub fn position(&self, ev: &KeyEvent) -> Option<usize> {
        self.keys.iter().position(|k| k.matches(ev))
    }

    /// "j / ↓".
    pub fn label(&self, lang: Lang) -> String {
        self.keys
            .iter()
            .map(|k| k.label(lang))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The first key's label, for the hints in the status line.
    pub fn first(&self, lang: Lang) -> String {
        self.keys.first().map(|k| k.label(lang)).unwrap_or_default()
    }
}

/// Every binding of the dashboard. The handler and the help read this.
#[derive(Debug, Clone)]
pub struct KeyList {
    pub down: Binding,
    pub up: Binding,
    pub page_down: Binding,
    pub page_up: Binding,
    pub top: Binding,
    pub bottom: Binding,
    pub next_view: Binding,
    pub prev_view: Binding,
    /// The views by number; the nth key opens the nth view.
    pub goto_view: Binding,
    pub open: Binding,
    pub search: Binding,
    pub filter: Binding,
    pub sort: Binding,
    pub sort_reverse: Binding,
    pub clear: Binding,
    pub mark: Binding,
    pub mark_range: Binding,
    pub mark_all: Binding,
    pub unmark: Binding,
    pub cancel: Binding,
    pub cancel_refund: Binding,
    pub refund: Binding,
    pub validate: Binding,
    pub set_order_payment: Binding,
    pub set_payment: Binding,
    pub fix: Binding,
    pub replay: Binding,
    pub link: Binding,
    pub dismiss: Binding,
    pub confirm: Binding,
    pub decline: Binding,
    /// In a cancel's confirmation: cancel and refund instead.
    pub and_refund: Binding,
    pub close: Binding,
    pub search_keep: Binding,
    pub search_clear_line: Binding,
    pub filter_change: Binding,
    pub refresh: Binding,
    pub sync: Binding,
    pub help: Binding,
    pub quit: Binding,
    pub force_quit: Binding,
}

impl Default for KeyList {
    fn default() -> KeyList {
        use Group::*;
        use KeyCode as C;
        let (ch, code, ctrl) = (Key::char, Key::code, Key::ctrl);
        KeyList {
            down: Binding::new(Move, &[ch('j'), code(C::Down)], "key-down"),
            up: Binding::new(Move, &[ch('k'), code(C::Up)], "key-up"),
            page_down: Binding::new(Move, &[code(C::PageDown), ctrl('d')], "key-page-down"),
            page_up: Binding::new(Move, &[code(C::PageUp), ctrl('u')], "key-page-up"),
            top: Binding::new(Move, &[ch('g'), code(C::Home)], "key-top"),
            bottom: Binding::new(Move, &[ch('G'), code(C::End)], "key-bottom"),
            next_view: Binding::new(Views, &[code(C::Tab)], "key-next-view"),
            prev_view: Binding::new(Views, &[code(C::BackTab)], "key-prev-view"),
            goto_view: Binding::new(
                Views,
                &[ch('1'), ch('2'), ch('3'), ch('4'), ch('5')],
                "key-goto-view",
            ),
            open: Binding::new(Views, &[code(C::Enter)], "key-open"),
            search: Binding::new(Find, &[ch('/')], "key-search"),
            filter: Binding::new(Find, &[ch('F')], "key-filter"),
            sort: Binding::new(Find, &[ch('o')], "key-sort"),
            sort_reverse: Binding::new(Find, &[ch('O')], "key-sort-reverse"),
            clear: Binding::new(Find, &[ch('c')], "key-clear"),
            mark: Binding::new(Mark, &[ch(' ')], "key-mark"),
            mark_range: Binding::new(Mark, &[ch('v')], "key-mark-range"),
            mark_all: Binding::new(Mark, &[ch('*')], "key-mark-all"),
            unmark: Binding::new(Mark, &[ch('u')], "key-unmark"),
            cancel: Binding::new(Act, &[ch('x')], "key-cancel"),
            cancel_refund: Binding::new(Act, &[ch('X')], "key-cancel-refund"),
            refund: Binding::new(Act, &[ch('$')], "key-refund"),
            validate: Binding::new(Act, &[ch('a')], "key-validate"),
            set_order_payment: Binding::new(Act, &[ch('p')], "key-set-order-payment"),
            set_payment: Binding::new(Act, &[ch('s')], "key-set-payment"),
            fix: Binding::new(Act, &[ch('f')], "key-fix"),
            replay: Binding::new(Act, &[ch('r')], "key-replay"),
            link: Binding::new(Act, &[ch('l')], "key-link"),
            dismiss: Binding::new(Act, &[ch('d')], "key-dismiss"),
            confirm: Binding::new(Dialogs, &[ch('y'), code(C::Enter)], "key-confirm"),
            decline: Binding::new(Dialogs, &[ch('n'), code(C::Esc)], "key-decline"),
            and_refund: Binding::new(Dialogs, &[ch('r')], "key-and-refund"),
            close: Binding::new(Dialogs, &[code(C::Esc)], "key-close"),
            search_keep: Binding::new(Dialogs, &[code(C::Enter)], "key-search-keep"),
            search_clear_line: Binding::new(Dialogs, &[ctrl('u')], "key-search-clear-line"),
            filter_change: Binding::new(
                Dialogs,
                &[code(C::Left), code(C::Right), ch('h'), ch('l')],
                "key-filter-change",
            ),
            refresh: Binding::new(General, &[ch('R')], "key-refresh"),
            sync: Binding::new(General, &[ch('S')], "key-sync"),
            help: Binding::new(General, &[ch('?')], "key-help"),
            quit: Binding::new(General, &[ch('q')], "key-quit"),
            force_quit: Binding::new(General, &[ctrl('c')], "key-force-quit"),
        }
    }
}

impl KeyList {
    /// Every binding, in the order the help screen shows them.
    pub fn entries(&self) -> Vec<&Binding> {
        vec![
            &self.down,
            &self.up,
            &self.page_down,
            &self.page_up,
            &self.top,
            &self.bottom,
            &self.next_view,
            &self.prev_view,
            &self.goto_view,
            &self.open,
            &self.search,
            &self.filter,
            &self.sort,
            &self.sort_reverse,
            &self.clear,
            &self.mark,
            &self.mark_range,
            &self.mark_all,
            &self.unmark,
            &self.cancel,
            &self.cancel_refund,
            &self.refund,
            &self.validate,
            &self.set_order_payment,
            &self.set_payment,
            &self.fix,
            &self.replay,
            &self.link,
            &self.dismiss,
            &self.confirm,
            &self.decline,
            &self.and_refund,
            &self.close,
            &self.search_keep,
            &self.search_clear_line,
            &self.filter_change,
            &self.refresh,
            &self.sync,
            &self.help,
            &self.quit,
            &self.force_quit,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn shift_is_ignored_and_control_is_not() {
        let keys = KeyList::default();
        assert!(
            keys.bottom
                .matches(&press(KeyCode::Char('G'), KeyModifiers::SHIFT))
        );
        assert!(
            keys.help
                .matches(&press(KeyCode::Char('?'), KeyModifiers::SHIFT))
        );
        assert!(
            !keys
                .quit
                .matches(&press(KeyCode::Char('q'), KeyModifiers::CONTROL))
        );
        assert!(
            keys.force_quit
                .matches(&press(KeyCode::Char('c'), KeyModifiers::CONTROL))
        );
    }

    #[test]
    fn no_key_of_the_main_view_means_two_things() {
        let keys = KeyList::default();
        // The main view's bindings (dialog keys are read only in dialogs).
        let main: Vec<&Binding> = keys
            .entries()
            .into_iter()
            .filter(|b| b.group != Group::Dialogs)
            .collect();
        let mut seen: Vec<(Key, &str)> = Vec::new();
        for b in main {
            for k in &b.keys {
                if let Some((_, other)) = seen.iter().find(|(s, _)| s == k) {
                    panic!(
                        "{} is bound to both {:?} and {:?}",
                        k.label(Lang::En),
                        other,
                        b.help
                    );
                }
                seen.push((*k, b.help));
            }
        }
    }

    #[test]
    fn every_binding_is_in_the_help() {
        let keys = KeyList::default();
        assert_eq!(keys.entries().len(), 41);
        assert_eq!(keys.goto_view.label(Lang::En), "1 / 2 / 3 / 4 / 5");
        assert_eq!(keys.page_up.label(Lang::En), "PgUp / Ctrl-u");
        assert_eq!(keys.page_up.label(Lang::Fr), "PgPréc / Ctrl-u");
    }
}
