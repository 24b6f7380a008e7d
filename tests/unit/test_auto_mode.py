"""Auto mode: mini-curriculum, per-subtopic difficulty, promotion, setbacks, decay, reviews."""

from __future__ import annotations

from pathlib import Path

import pytest
from progress_support import DAY, T0, bank, open_store, submit

from pytrix.errors import PytrixError
from pytrix.practice import auto
from pytrix.settings import Settings
from pytrix.store import progress as db
from pytrix.store.database import Store

NO_REVIEWS = Settings(auto_review_every=0)


def next_pick(store: Store, now: float, settings: Settings = NO_REVIEWS) -> auto.AutoPick:
    return auto.next_question(store, bank(), settings, now=now)


def solve_next(store: Store, now: float, settings: Settings = NO_REVIEWS, solved: bool = True) -> tuple[auto.AutoPick, auto.AutoOutcome | None]:
    pick = next_pick(store, now, settings)
    recorded = submit(store, pick.question.id, solved, now=now + 1, settings=settings)
    assert recorded.mode == "auto"
    return pick, recorded.auto


def test_new_learners_get_a_twelve_question_string_curriculum(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    plan = auto.curriculum_plan(bank(), NO_REVIEWS)
    assert len(plan) == 12
    picks = []
    for n in range(12):
        pick, _ = solve_next(store, T0 + n * 10)
        picks.append(pick)
    assert [p.reason for p in picks] == ["curriculum"] * 12
    assert [p.detail for p in picks][-1] == "Mini-curriculum 12/12"
    assert all(p.question.module == "string-manipulation" for p in picks)
    assert [p.question.problem_type for p in picks] == plan
    after = next_pick(store, T0 + 1000)
    assert after.reason in ("weakness", "explore")
    assert auto.status(store, bank(), NO_REVIEWS, now=T0 + 1000)["curriculum"]["done"] is True


def test_three_in_a_row_promote_each_subtopic_separately(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    outcomes = [solve_next(store, T0 + n * 10)[1] for n in range(3)]
    assert [o.event for o in outcomes if o] == ["streak", "streak", "promoted"]
    assert outcomes[-1] is not None and outcomes[-1].difficulty == "intermediate"
    fourth, _ = solve_next(store, T0 + 100)  # still basic-string-operations: now intermediate
    assert fourth.question.subtopic == "basic-string-operations"
    assert fourth.question.difficulty.value == "intermediate"
    fifth, _ = solve_next(store, T0 + 200)  # another subtopic keeps its own level
    assert fifth.question.subtopic == "string-searching"
    assert fifth.question.difficulty.value == "beginner"


def test_fast_setting_promotes_after_two(tmp_path: Path) -> None:
    fast = Settings(auto_review_every=0, auto_fast=True)
    store = open_store(tmp_path)
    outcomes = [solve_next(store, T0 + n * 10, fast)[1] for n in range(2)]
    assert [o.event for o in outcomes if o] == ["streak", "promoted"]
    assert auto.status(store, bank(), fast, now=T0 + 50)["promote_after"] == 2


def test_a_failure_resets_demotes_and_injects_two_beginner_questions(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for n in range(3):
        solve_next(store, T0 + n * 10)  # basic-string-operations -> intermediate
    pick, outcome = solve_next(store, T0 + 100, solved=False)
    assert pick.question.difficulty.value == "intermediate"
    assert outcome is not None and outcome.event == "demoted"
    assert outcome.difficulty == "beginner" and outcome.streak == 0
    assert len(outcome.injected) == 2
    injected = [bank().get(i) for i in outcome.injected]
    assert all(q.subtopic == "basic-string-operations" and q.difficulty.value == "beginner" for q in injected)
    # a second failed submission of the same question does not pile on more
    again = submit(store, pick.question.id, False, now=T0 + 150)
    assert again.auto is not None and again.auto.event == "unchanged" and again.auto.injected == []
    following = [next_pick(store, T0 + 200 + n) for n in range(2)]
    assert [p.reason for p in following] == ["remediation", "remediation"]
    assert [p.question.id for p in following] == outcome.injected
    assert next_pick(store, T0 + 300).reason == "curriculum"


def test_resubmitting_a_solved_question_does_not_build_a_streak(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    pick, first = solve_next(store, T0)
    assert first is not None and first.streak == 1
    repeat = submit(store, pick.question.id, True, now=T0 + 20)
    assert repeat.mode == "auto" and repeat.auto is None
    assert auto.status(store, bank(), NO_REVIEWS, now=T0 + 30)["subtopics"][0]["streak"] == 1


def test_manual_questions_do_not_touch_the_auto_state(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    recorded = submit(store, "caesar-cipher.beginner", False, now=T0)
    assert recorded.mode == "manual" and recorded.auto is None
    status = auto.status(store, bank(), NO_REVIEWS, now=T0)
    assert status["subtopics"] == [] and status["queue"] == []


def test_slow_down_on_demand(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    with pytest.raises(PytrixError, match="nothing to slow down"):
        auto.slow_down(store, bank(), NO_REVIEWS, now=T0)
    for n in range(3):
        solve_next(store, T0 + n * 10)
    outcome = auto.slow_down(store, bank(), NO_REVIEWS, now=T0 + 100)
    assert outcome.subtopic == "basic-string-operations"
    assert outcome.event == "demoted" and outcome.difficulty == "beginner"
    assert len(outcome.injected) == 2
    assert next_pick(store, T0 + 200).reason == "remediation"
    with pytest.raises(PytrixError, match="no subtopic"):
        auto.slow_down(store, bank(), NO_REVIEWS, "no-such-subtopic", now=T0)


def test_an_idle_streak_halves_after_a_day(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    solve_next(store, T0)
    solve_next(store, T0 + 10)  # streak 2 in basic-string-operations
    later = T0 + 10 + 25 * 3600
    assert auto.status(store, bank(), NO_REVIEWS, now=later)["subtopics"][0]["streak"] == 1
    _, outcome = solve_next(store, later)
    assert outcome is not None and outcome.event == "streak" and outcome.streak == 2  # 2 // 2 + 1
    _, outcome = solve_next(store, later + 10)
    assert outcome is not None and outcome.event == "promoted"
    assert auto.decayed_streak(8, 0.0, 3 * DAY, Settings()) == 1  # halves once per full day
    assert auto.decayed_streak(8, 0.0, 3 * DAY, Settings(auto_decay_hours=0)) == 8


def test_state_survives_a_restart(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for n in range(4):
        solve_next(store, T0 + n * 10)
    store.close()
    reopened = open_store(tmp_path)
    status = auto.status(reopened, bank(), NO_REVIEWS, now=T0 + 100)
    assert status["curriculum"]["position"] == 4
    assert {s["subtopic"]: s["difficulty"] for s in status["subtopics"]} == {
        "basic-string-operations": "intermediate"
    }
    assert next_pick(reopened, T0 + 200).detail == "Mini-curriculum 5/12"


def test_after_the_curriculum_the_weakest_subtopic_comes_first(tmp_path: Path) -> None:
    settings = Settings(auto_review_every=0, auto_curriculum_length=0, auto_remediation_count=0)
    store = open_store(tmp_path)
    first = next_pick(store, T0, settings)
    assert first.reason == "explore" and first.question.subtopic == "basic-string-operations"
    # weak: string-building solved 1 of 4; strong: basic-string-operations 3 of 3
    for n in range(3):
        submit(store, "string-reversal.beginner", True, now=T0 + n, settings=settings)
    for n, ok in enumerate([False, False, True, False]):
        submit(store, "split-and-join.beginner", ok, now=T0 + 10 + n, settings=settings)
    pick = next_pick(store, T0 + 100, settings)
    assert pick.reason == "weakness" and pick.question.subtopic == "string-building"
    assert pick.detail.startswith("Weakest subtopic: 25% of attempts solved")
    assert pick.question.id != "split-and-join.beginner"  # an untried question of the subtopic first


def test_due_reviews_are_mixed_in(tmp_path: Path) -> None:
    settings = Settings(auto_review_every=1)
    store = open_store(tmp_path)
    pick, _ = solve_next(store, T0, settings)
    # right after a solve nothing is due: the curriculum goes on
    assert next_pick(store, T0 + 60, settings).reason == "curriculum"
    much_later = T0 + 400 * DAY
    review = next_pick(store, much_later, settings)
    assert review.reason == "review"
    assert review.question.problem_type == pick.question.problem_type
    never = Settings(auto_review_every=0)
    assert next_pick(store, much_later + 1, never).reason != "review"


def test_curriculum_length_and_module_are_settings(tmp_path: Path) -> None:
    settings = Settings(auto_curriculum_length=3, auto_review_every=0)
    store = open_store(tmp_path)
    reasons = [solve_next(store, T0 + n * 10, settings)[0].reason for n in range(4)]
    assert reasons == ["curriculum", "curriculum", "curriculum", "explore"]
    other = Settings(auto_curriculum_module="no-such-module")
    assert auto.curriculum_plan(bank(), other) == []


def test_the_open_auto_question_is_the_current_one_until_solved(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    assert auto.current(store) is None
    pick = next_pick(store, T0)
    assert auto.current(store) == pick.question.id
    submit(store, pick.question.id, False, now=T0 + 1)
    assert auto.current(store) == pick.question.id  # a failure keeps it open
    submit(store, pick.question.id, True, now=T0 + 2)
    assert auto.current(store) is None


def test_default_settings_space_several_due_reviews_one_in_three(tmp_path: Path) -> None:
    """With the defaults (a review at most every 3rd pick) and four reviews due, the
    reviews come first, then every third pick, oldest due first, each problem type once."""
    defaults = Settings()
    assert defaults.auto_review_every == 3
    store = open_store(tmp_path)
    learnt = [solve_next(store, T0 + n * 60, defaults)[0] for n in range(4)]
    assert [p.reason for p in learnt] == ["curriculum"] * 4  # nothing due yet
    later = T0 + 400 * DAY
    picks = [solve_next(store, later + n * 60, defaults)[0] for n in range(8)]
    assert [p.reason for p in picks] == [
        "review", "curriculum", "curriculum", "review", "curriculum", "curriculum", "review",
        "curriculum",
    ]
    reviewed = [p.question.problem_type for p in picks if p.reason == "review"]
    assert reviewed == [p.question.problem_type for p in learnt[:3]]
    assert all(p.detail.startswith(f"Spaced review of {p.question.problem_type}, ")
               for p in picks if p.reason == "review")
    curriculum = [p.detail for p in picks if p.reason == "curriculum"]
    assert curriculum == [f"Mini-curriculum {n}/12" for n in range(5, 10)]


def test_a_review_every_second_pick_and_the_count_survives_a_restart(tmp_path: Path) -> None:
    every_other = Settings(auto_review_every=2)
    store = open_store(tmp_path)
    for n in range(3):
        solve_next(store, T0 + n * 60, every_other)
    later = T0 + 400 * DAY
    first, _ = solve_next(store, later, every_other)
    second, _ = solve_next(store, later + 60, every_other)
    store.close()
    reopened = open_store(tmp_path)
    third, _ = solve_next(reopened, later + 120, every_other)
    assert [first.reason, second.reason, third.reason] == ["review", "curriculum", "review"]


def test_outcomes_and_picks_as_json_and_their_messages(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    pick, streak = solve_next(store, T0)
    assert pick.to_json() == {"questionId": pick.question.id, "reason": "curriculum",
                              "detail": "Mini-curriculum 1/12"}
    assert streak is not None and streak.to_json() == {
        "subtopic": "basic-string-operations", "event": "streak", "difficulty": "beginner",
        "previousDifficulty": "beginner", "streak": 1, "injected": [],
        "message": "basic-string-operations: 1 in a row (2 more to reach the next difficulty).",
    }
    failed_pick, reset = solve_next(store, T0 + 10, solved=False)
    assert reset is not None and reset.to_json() == {
        "subtopic": "basic-string-operations", "event": "reset", "difficulty": "beginner",
        "previousDifficulty": "beginner", "streak": 0, "injected": reset.injected,
        "message": "Not solved: basic-string-operations staying at beginner, streak reset; "
                   "2 beginner questions queued.",
    }
    assert len(reset.injected) == 2 and failed_pick.question.id not in reset.injected
    again = submit(store, failed_pick.question.id, False, now=T0 + 20)
    assert again.auto is not None and again.auto.to_json() == {
        "subtopic": "basic-string-operations", "event": "unchanged", "difficulty": "beginner",
        "previousDifficulty": "beginner", "streak": 0, "injected": [],
        "message": "Auto mode already counted this question's failure.",
    }


def test_promotion_messages_up_to_the_top_level(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    settings = Settings(auto_review_every=0, auto_curriculum_length=0, auto_remediation_count=0)
    messages = []
    for n in range(9):  # the same question issued again and again: one subtopic climbs
        with store.transaction() as conn:
            db.issue(conn, "string-reversal.beginner", "string-manipulation", "basic-string-operations",
                     "curriculum", T0 + n * 10)
        recorded = submit(store, "string-reversal.beginner", True, now=T0 + n * 10 + 1, settings=settings)
        assert recorded.auto is not None
        messages.append(recorded.auto.message)
    assert messages[2] == "3 in a row: basic-string-operations moves up to intermediate."
    assert messages[3] == "basic-string-operations: 1 in a row (2 more to reach the next difficulty)."
    assert messages[5] == "3 in a row: basic-string-operations moves up to advanced."
    assert messages[8] == "basic-string-operations: 3 in a row."  # nothing above advanced
    state = auto.status(store, bank(), settings, now=T0 + 100)["subtopics"][0]
    assert (state["difficulty"], state["streak"], state["attempts"]) == ("advanced", 3, 9)


def test_a_failure_at_a_higher_level_demotes_and_says_so(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    one = Settings(auto_review_every=0, auto_remediation_count=1)
    for n in range(3):
        solve_next(store, T0 + n * 10, one)
    _, outcome = solve_next(store, T0 + 100, one, solved=False)
    assert outcome is not None and outcome.event == "demoted" and outcome.previous_difficulty == "intermediate"
    assert outcome.message == ("Not solved: basic-string-operations down to beginner, streak reset; "
                               "1 beginner question queued.")
    none = Settings(auto_review_every=0, auto_remediation_count=0)
    outcome = auto.slow_down(store, bank(), none, "string-searching", now=T0 + 200)
    assert outcome.injected == []
    assert outcome.message == "Slowing down: string-searching staying at beginner, streak reset."


def test_remediation_never_queues_more_than_the_count_per_subtopic(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    three = Settings(auto_review_every=0, auto_remediation_count=3)
    first = auto.slow_down(store, bank(), three, "string-searching", now=T0)
    assert len(first.injected) == 3 and len(set(first.injected)) == 3
    assert auto.slow_down(store, bank(), three, "string-searching", now=T0 + 1).injected == []
    status = auto.status(store, bank(), three, now=T0 + 2)
    assert [q["question_id"] for q in status["queue"]] == first.injected
    assert {q["subtopic"] for q in status["queue"]} == {"string-searching"}
    assert {q["reason"] for q in status["queue"]} == {"remediation"}
    other = auto.slow_down(store, bank(), three, "basic-string-operations", now=T0 + 3)
    assert len(other.injected) == 3  # another subtopic has its own allowance


def test_status_field_by_field(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    pick, _ = solve_next(store, T0)
    failed, _ = solve_next(store, T0 + 10, solved=False)
    submit(store, "caesar-cipher.beginner", True, now=T0 + 15)  # a manual question: reviews only
    status = auto.status(store, bank(), NO_REVIEWS, now=T0 + 20)
    queue = status.pop("queue")
    assert status == {
        "curriculum": {"module": "string-manipulation", "position": 2, "length": 12, "done": False},
        "promote_after": 3, "fast": False,
        "subtopics": [{"subtopic": "basic-string-operations", "module": "string-manipulation",
                       "difficulty": "beginner", "streak": 0, "attempts": 2, "updated_at": T0 + 11}],
        "reviews_due": 0, "last_question": failed.question.id,
        "current_subtopic": "basic-string-operations",
    }
    assert len(queue) == 2 and pick.question.id != failed.question.id
    assert auto.status(store, bank(), NO_REVIEWS, now=T0 + 400 * DAY)["reviews_due"] == 3
    fast = auto.status(open_store(tmp_path, "empty.db"), bank(), Settings(auto_fast=True), now=T0)
    assert (fast["fast"], fast["promote_after"], fast["last_question"], fast["current_subtopic"]) == (
        True, 2, None, None)
    assert fast["curriculum"] == {"module": "string-manipulation", "position": 0, "length": 12, "done": False}


@pytest.mark.parametrize(("idle_hours", "streak"), [(0, 8), (23.99, 8), (24, 4), (47.9, 4), (48, 2),
                                                   (24 * 70, 0), (-5, 8)])
def test_a_streak_halves_once_per_full_idle_day(idle_hours: float, streak: int) -> None:
    assert auto.decayed_streak(8, T0, T0 + idle_hours * 3600, Settings()) == streak


def test_decay_follows_its_setting_and_leaves_no_streak_alone() -> None:
    assert auto.decayed_streak(8, T0, T0 + 13 * 3600, Settings(auto_decay_hours=12)) == 4
    assert auto.decayed_streak(0, T0, T0 + 100 * DAY, Settings()) == 0


def test_the_weakest_of_equally_weak_subtopics_is_the_one_tried_most(tmp_path: Path) -> None:
    settings = Settings(auto_review_every=0, auto_curriculum_length=0, auto_remediation_count=0)
    store = open_store(tmp_path)
    for n, ok in enumerate([True, False]):  # string-building: 1 of 2
        submit(store, "split-and-join.beginner", ok, now=T0 + n, settings=settings)
    for n, ok in enumerate([True, False, True, False]):  # string-searching: 2 of 4
        submit(store, "substring-search.beginner", ok, now=T0 + 10 + n, settings=settings)
    pick = next_pick(store, T0 + 100, settings)
    assert (pick.reason, pick.question.subtopic) == ("weakness", "string-searching")
    assert pick.detail == "Weakest subtopic: 50% of attempts solved (Searching & Comparing, beginner)"


def test_a_subtopic_exactly_at_the_weak_threshold_is_not_weak(tmp_path: Path) -> None:
    settings = Settings(auto_review_every=0, auto_curriculum_length=0, auto_remediation_count=0,
                        auto_weak_below_percent=50)
    store = open_store(tmp_path)
    for n, ok in enumerate([True, False]):
        submit(store, "string-reversal.beginner", ok, now=T0 + n, settings=settings)
    pick = next_pick(store, T0 + 100, settings)
    assert pick.reason == "explore" and pick.question.subtopic != "basic-string-operations"
    assert pick.detail.startswith("A new subtopic (")


def test_with_every_subtopic_tried_and_none_weak_the_lowest_mastery_comes_first(tmp_path: Path) -> None:
    from pytrix.curriculum.question import Difficulty
    from pytrix.practice.stats import subtopic_mastery

    settings = Settings(auto_review_every=0, auto_curriculum_length=0, auto_remediation_count=0)
    store = open_store(tmp_path)
    lowest = None
    for module in bank().curriculum.ordered_modules:
        for subtopic in module.subtopics:
            questions = [q for p in subtopic.problem_types
                         for q in bank().for_problem_type(p.id, Difficulty.BEGINNER)]
            if not questions:
                continue
            if lowest is None and module.id != "string-manipulation":
                lowest = subtopic  # one solved question here, two everywhere else
                chosen = questions[:1]
            else:
                chosen = [q for q in questions if q.problem_type != questions[0].problem_type][:1] + questions[:1]
            for question in chosen:
                submit(store, question.id, True, now=T0, settings=settings)
    assert lowest is not None
    with store.snapshot() as conn:
        mastery = subtopic_mastery(db.stat_cells(conn), bank().curriculum)
    assert mastery[lowest.id] == min(mastery.values())
    pick = next_pick(store, T0 + 100, settings)
    assert (pick.reason, pick.question.subtopic) == ("weakness", lowest.id)
    assert pick.detail == f"Lowest mastery: {mastery[lowest.id]:.0f}% ({lowest.name}, beginner)"
    assert pick.question.difficulty.value == "beginner"


def test_weakness_is_a_rate_strictly_under_the_threshold_and_shown_rounded(tmp_path: Path) -> None:
    settings = Settings(auto_review_every=0, auto_curriculum_length=0, auto_remediation_count=0,
                        auto_weak_below_percent=67)
    store = open_store(tmp_path)
    for n, ok in enumerate([True, True, False]):  # 2 of 3: 66.7 % < 67 %
        submit(store, "substring-search.beginner", ok, now=T0 + n, settings=settings)
    pick = next_pick(store, T0 + 100, settings)
    assert pick.reason == "weakness" and pick.detail.startswith("Weakest subtopic: 67% of attempts solved (")
    other = open_store(tmp_path, "third.db")
    for n, ok in enumerate([True, False, False]):
        submit(other, "substring-search.beginner", ok, now=T0 + n, settings=settings)
    assert next_pick(other, T0 + 100, settings).detail.startswith("Weakest subtopic: 33% of attempts solved (")


def test_a_review_says_how_many_days_it_is_overdue(tmp_path: Path) -> None:
    every = Settings(auto_review_every=1)
    details = []
    for offset in (0.5, 1.2, 2.5):
        store = open_store(tmp_path, f"{offset}.db")
        pick, _ = solve_next(store, T0, every)
        problem_type = pick.question.problem_type
        assert next_pick(store, T0 + 60, every).reason == "curriculum"  # nothing due yet
        with store.snapshot() as conn:
            due = float(db.review_card(conn, problem_type)["due"])
        details.append(next_pick(store, due + offset * DAY, every).detail)
    assert details == [f"Spaced review of {problem_type}", f"Spaced review of {problem_type}, 1 day overdue",
                       f"Spaced review of {problem_type}, 2 days overdue"]


def test_refusals_say_what_to_do(tmp_path: Path) -> None:
    from pytrix.curriculum.bank import Bank
    from pytrix.curriculum.topics import Curriculum

    store = open_store(tmp_path)
    with pytest.raises(PytrixError) as nothing:
        auto.slow_down(store, bank(), NO_REVIEWS)
    assert str(nothing.value) == (
        "Auto mode has not given you a question yet, so there is nothing to slow down. Start with "
        "'Pytrix: new practice question (auto mode)' or `pytrix auto next --dir DIR`.")
    empty = Bank(Curriculum.model_construct(version="0", modules=[]))
    with pytest.raises(PytrixError) as no_bank:
        auto.next_question(store, empty, NO_REVIEWS, now=T0)
    assert str(no_bank.value) == ("Auto mode has no question to give: the question bank is empty. "
                                  "Check the data folder with `pytrix data check`.")


def test_without_a_time_given_the_clock_is_read(tmp_path: Path) -> None:
    import time

    store = open_store(tmp_path)
    before = time.time()
    auto.next_question(store, bank(), NO_REVIEWS)
    outcome = auto.slow_down(store, bank(), NO_REVIEWS)
    status = auto.status(store, bank(), NO_REVIEWS)
    assert outcome.event == "reset"
    assert before <= status["subtopics"][0]["updated_at"] <= time.time()
    auto.slow_down(store, bank(), NO_REVIEWS, now=T0 + 5)
    assert auto.status(store, bank(), NO_REVIEWS, now=T0 + 6)["subtopics"][0]["updated_at"] == T0 + 5


def test_a_partly_used_remediation_queue_is_topped_up_without_repeats(tmp_path: Path) -> None:
    three = Settings(auto_review_every=0, auto_remediation_count=3)
    store = open_store(tmp_path)
    first = auto.slow_down(store, bank(), three, "string-searching", now=T0)
    practice = next_pick(store, T0 + 1, three)
    assert practice.reason == "remediation" and practice.detail == "Practice round after a setback (2 more queued)"
    again = auto.slow_down(store, bank(), three, "string-searching", now=T0 + 2)
    assert len(again.injected) == 1 and again.injected[0] not in first.injected[1:]
    queue = [q["question_id"] for q in auto.status(store, bank(), three, now=T0 + 3)["queue"]]
    assert len(queue) == len(set(queue)) == 3


def test_slowing_down_keeps_the_module_and_decays_the_streak(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    solve_next(store, T0)  # basic-string-operations: streak 1
    outcome = auto.slow_down(store, bank(), NO_REVIEWS, now=T0 + 30 * 3600)
    assert outcome.subtopic == "basic-string-operations"
    fresh = auto.slow_down(store, bank(), NO_REVIEWS, "string-searching", now=T0 + 40 * 3600)
    assert fresh.event == "reset"
    modules = {s["subtopic"]: s["module"] for s in auto.status(store, bank(), NO_REVIEWS, now=T0)["subtopics"]}
    assert modules == {"basic-string-operations": "string-manipulation", "string-searching": "string-manipulation"}


def test_a_failure_at_the_top_level_steps_down_one_level(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    settings = Settings(auto_review_every=0, auto_remediation_count=0)
    for n in range(7):
        with store.transaction() as conn:
            db.issue(conn, "string-reversal.beginner", "string-manipulation", "basic-string-operations",
                     "curriculum", T0 + n * 10)
        recorded = submit(store, "string-reversal.beginner", n < 6, now=T0 + n * 10 + 1, settings=settings)
    assert recorded.auto is not None and recorded.auto.event == "demoted"
    assert (recorded.auto.previous_difficulty, recorded.auto.difficulty) == ("advanced", "intermediate")


def test_no_reviews_at_all_when_review_every_is_zero(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    solve_next(store, T0, NO_REVIEWS)
    assert next_pick(store, T0 + 60, NO_REVIEWS).reason == "curriculum"
    assert next_pick(store, T0 + 400 * DAY, NO_REVIEWS).reason == "curriculum"


def test_decay_edges() -> None:
    assert auto.decayed_streak(8, T0, T0 + 2 * 3600, Settings(auto_decay_hours=1)) == 2
    assert auto.decayed_streak(1, T0, T0 + 25 * 3600, Settings()) == 0
    assert len(auto.curriculum_plan(bank(), Settings(auto_curriculum_length=1))) == 1
