"""Risk flags on draft public replies: each on a positive and a negative example."""

import pytest

from analytics.reply_risk import (
    card_numbers,
    email_addresses,
    ibans,
    phone_numbers,
    playbook_similarity,
    reply_risks,
    risky_words,
    tone_score,
)

WORDS = ("refund", "compensation", "lawyer", "credit your account")
APPROVED = ["Sorry your order is late. DM us the order number and we'll chase the courier."]


def _kinds(text, approved=APPROVED):
    flags = reply_risks(
        text,
        approved=approved,
        words=WORDS,
        region="GB",
        tone_threshold=-0.5,
        similarity_threshold=60,
    )
    return {flag.kind: flag for flag in flags}


def test_a_phone_number_inside_a_tweet_is_found():
    tweet = "@jo_smith so sorry! call our team on 020 7946 0958 and quote #DL123 🙏"
    assert phone_numbers(tweet, "GB") == ["020 7946 0958"]
    assert phone_numbers("+1 202-555-0143 any time", "GB") == ["+1 202-555-0143"]
    assert _kinds(tweet)["phone"].evidence == ("020 7946 0958",)


def test_order_numbers_and_times_are_not_phone_numbers():
    assert phone_numbers("Order 12345 ships at 10:30 on 2026-11-30, 3 items", "GB") == []
    assert "phone" not in _kinds("Sorry your order is late. DM us the order number.")


def test_email_addresses_are_found():
    assert email_addresses("write to jo.smith+help@example.co.uk today") == [
        "jo.smith+help@example.co.uk"
    ]
    assert email_addresses("DM us @brand or visit example.com") == []


def test_a_card_number_must_pass_luhn():
    assert card_numbers("card 4111 1111 1111 1111 on file") == ["4111 1111 1111 1111"]
    # One digit off: fails the Luhn check, so it is not a card number.
    assert card_numbers("card 4111 1111 1111 1112 on file") == []
    assert "card" not in _kinds("ref 4111-1111-1111-1112 noted")
    assert _kinds("ref 4111-1111-1111-1111 noted")["card"].evidence == ("4111-1111-1111-1111",)


def test_an_iban_must_pass_its_check_digits():
    assert ibans("pay to GB82 WEST 1234 5698 7654 32 please") == ["GB82 WEST 1234 5698 7654 32"]
    assert ibans("pay to GB83 WEST 1234 5698 7654 32 please") == []


def test_a_polite_refusal_is_not_hostile_but_an_insult_is():
    polite = (
        "Sorry, we are not able to offer a refund on this order, but we can help you return it."
    )
    insult = "You are an idiot, stop whining and read the terms."
    assert tone_score(polite) > -0.5
    assert tone_score(insult) <= -0.5
    assert "tone" not in _kinds(polite)
    assert "tone" in _kinds(insult)


def test_compensation_and_legal_wording_matches_whole_words_only():
    assert risky_words("We will Refund you and credit your account.", WORDS) == [
        "refund",
        "credit your account",
    ]
    assert risky_words("Refunding policy and lawyers' fees", WORDS) == []


def test_divergence_from_the_playbook_states_the_threshold():
    close = "Sorry your order is late! DM us the order number and we'll chase the courier."
    far = "Couriers are not our problem, try again next week."
    assert playbook_similarity(close, APPROVED) > 90
    assert "playbook" not in _kinds(close)
    flag = _kinds(far)["playbook"]
    assert flag.detail.endswith("< 60 of 100")
    # Without approved wording for the topic there is nothing to diverge from.
    assert "playbook" not in _kinds(far, approved=[])


@pytest.mark.parametrize(
    "text",
    ["Thanks for the kind words, we'll pass them on to the team!"],
)
def test_a_clean_reply_has_no_flags(text):
    assert (
        _kinds(text, approved=["Thank you for the kind words, we'll pass them on to the team!"])
        == {}
    )
