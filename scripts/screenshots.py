"""Render the main window and every dialog, over a seeded realistic store, into
docs/screenshots/*.png (run under Xvfb: `make screenshots`)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"

CONVERSATIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Migrating the billing DB to Postgres",
        "assistant",
        [
            (
                "user",
                "We need to move the billing database from MySQL 5.7 to Postgres 16 "
                "without downtime. Where do I start?",
            ),
            (
                "assistant",
                """Start by making the move **reversible** and **incremental**:

1. **Inventory** the schema: types that differ (`TINYINT(1)`, `DATETIME`, `ENUM`).
2. **Dual-write** from the application behind a flag.
3. **Backfill** historical rows in batches, then verify with checksums.
4. **Switch reads** per service, watching error rates.

A first pass at the type mapping:

| MySQL | Postgres | Note |
|---|---|---|
| `TINYINT(1)` | `boolean` | check for values other than 0/1 |
| `DATETIME` | `timestamptz` | store UTC |
| `ENUM(...)` | `text` + `CHECK` | easier to migrate later |

For the backfill, keep each batch small so replication lag stays low:

```python
def backfill(batch_size: int = 5_000) -> None:
    last_id = 0
    while rows := fetch_after(last_id, batch_size):
        upsert_into_postgres(rows)
        last_id = rows[-1].id
```
""",
            ),
            ("user", "How do I verify the backfill is complete?"),
            (
                "assistant",
                """Compare **per-day row counts and checksums** on both sides:

```sql
SELECT date_trunc('day', created_at) AS day,
       count(*), md5(string_agg(id::text, ',' ORDER BY id))
FROM invoices GROUP BY 1 ORDER BY 1;
```

Run the same on MySQL (with `GROUP_CONCAT`) and diff the outputs. Any day that
differs is re-copied; repeat until the diff is empty.""",
            ),
        ],
    ),
    (
        "Weekly team update draft",
        "assistant",
        [
            (
                "user",
                "Turn these notes into a short update: shipped search, fixed 12 bugs, "
                "hiring a designer, Q3 planning next week",
            ),
            (
                "assistant",
                """**Team update — week 32**

- 🚀 **Shipped** full-text search across all conversations
- 🐛 **Fixed** 12 bugs, including the crash on resume
- 👋 **Hiring** a product designer — referrals welcome
- 📅 **Next week:** Q3 planning; please bring your top three priorities""",
            ),
        ],
    ),
    (
        "Why is my Rust borrow failing?",
        "assistant",
        [
            (
                "user",
                "error[E0502]: cannot borrow `v` as mutable because it is also borrowed "
                "as immutable",
            ),
            (
                "assistant",
                "You hold a reference (`first`) while pushing to the vector; a push may "
                "reallocate and invalidate it. Copy the value out first:\n\n"
                '```rust\nlet first = v[0];\nv.push(4);\nprintln!("{first}");\n```',
            ),
        ],
    ),
    (
        "Trip ideas for Lisbon",
        "assistant",
        [
            ("user", "Three days in Lisbon in November — what should we not miss?"),
            (
                "assistant",
                "Day 1: Alfama and the castle at sunset. Day 2: Belém (tower, monastery, "
                "pastéis). Day 3: a day trip to Sintra — go early to beat the queues.",
            ),
        ],
    ),
    (
        "Regex for ISO dates",
        "assistant",
        [
            ("user", "regex for 2024-11-21 style dates?"),
            (
                "assistant",
                "`^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$` — it checks the shape, "
                "not whether the day exists in that month.",
            ),
        ],
    ),
]


def seed(data_dir: Path) -> str:
    from desktop_agent.services.app_context import open_app
    from desktop_agent.services.learning import give_feedback
    from desktop_agent.store import messages, sessions

    context = open_app(data_dir)
    now = time.time()
    first_id = ""
    for age, (title, agent, turns) in enumerate(reversed(CONVERSATIONS)):
        stamp = now - (len(CONVERSATIONS) - age) * 5400
        record = sessions.create_session(title=title, agent=agent, created_at=stamp)
        for offset, (role, text) in enumerate(turns):
            messages.append_message(
                record.id,
                role,
                text,
                created_at=stamp + 60 * offset,
                model="gpt-4o-mini" if role == "assistant" else "",
            )
        first_id = record.id
    sessions.set_goal(first_id, "A zero-downtime migration plan the team can review")
    sessions.set_pinned(first_id, True)
    reply = next(m for m in messages.list_messages(first_id) if m.role == "assistant")
    give_feedback(reply.id, 1)
    from desktop_agent.config.ui_state import UiState, save_ui_state

    save_ui_state(data_dir, UiState(last_session_id=first_id))  # the window reopens it
    context.close()
    return first_id


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="da-shots-") as tmp:
        data_dir = Path(tmp) / "data"
        os.environ["DESKTOP_AGENT_DATA_DIR"] = str(data_dir)
        os.environ["DESKTOP_AGENT_NO_KEYRING"] = "1"
        os.environ.pop("OPENAI_API_KEY", None)
        seed(data_dir)
        return render(data_dir)


def render(data_dir: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget  # noqa: TC002 - used at run time below

    from desktop_agent.services.app_context import open_app
    from desktop_agent.ui.main import create_application
    from desktop_agent.ui.main_window import MainWindow

    app = create_application()
    context = open_app(data_dir)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shoot(widget: QWidget, name: str) -> None:
        settle()
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        print(path.relative_to(ROOT))

    window = MainWindow(context)
    window.resize(1440, 900)
    window.show()
    settle()
    shoot(window, "main-window")

    from desktop_agent.ui.settings_dialog import SettingsDialog

    settings = SettingsDialog(context, window)
    settings.show()
    shoot(settings, "settings-dialog")
    settings.tabs.setCurrentWidget(settings.learning)
    shoot(settings, "settings-learning")
    settings.reject()

    from desktop_agent.ui.about import about_box

    about = about_box(context, window)
    about.show()
    shoot(about, "about-box")
    about.close()

    window.sessions.search.setText("backfill")
    window.sessions._run_search()
    deadline = time.monotonic() + 5
    while window.sessions.search_model.rowCount() == 0 and time.monotonic() < deadline:
        app.processEvents()
    shoot(window, "search")
    window.sessions.search.clear()

    chat = window.chat
    reply = [r for r in chat.model.records() if r.role == "assistant"][-1]
    chat.show_error("The provider is rate-limiting requests (HTTP 429). Try again in 20 s.", True)
    menu = chat.feedback_menu(reply)
    menu.popup(chat.mapToGlobal(chat.rect().center()))
    settle()
    shoot(window, "error-banner")
    shoot(menu, "feedback-menu")
    menu.close()
    chat.error_bar.dismiss()

    window.sessions.select(window.sessions.model.record(1).id, activate=True)
    window.sessions.trash_current()
    shoot(window, "undo-trash")
    window.sessions.undo_trash()
    window.sessions.select(window.sessions.model.record(2).id)
    window.sessions.trash_current()
    window.sessions.trash_toggle.setChecked(True)
    shoot(window, "trash-view")
    window.sessions.trash_toggle.setChecked(False)

    # The window as a system in dark mode shows it (Xvfb has no colour scheme to follow,
    # so the palette that theme.py picks for a dark system is applied directly).
    from desktop_agent.ui.theme import apply_palette, dark_palette, light_palette

    window.sessions.undo_trash()
    apply_palette(app, dark_palette())
    window.sessions.select(window.sessions.model.record(0).id, activate=True)
    shoot(window, "main-window-dark")
    apply_palette(app, light_palette())
    window.close()
    context.close()

    empty_dir = data_dir.parent / "empty"
    fresh = open_app(empty_dir)
    welcome = MainWindow(fresh)
    welcome.resize(1280, 800)
    welcome.show()
    shoot(welcome, "welcome")
    welcome.close()
    fresh.close()
    QTimer.singleShot(0, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # every picture is saved; skip Qt's slow teardown
