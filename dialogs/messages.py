"""Every sentence the bot says, in one place, ready for review."""

from __future__ import annotations

BOT_NAME = "EHCP assistant"

WELCOME_TITLE = "Hello, I'm the EHCP assistant"
WELCOME = (
    "I help NHS services complete the Health Providers EHCP Processes Self-Assessment, one "
    "question at a time, and keep statutory EHCP deadlines in view."
)
HELP_TITLE = "What I can do"
EVERYWHERE = ("personal", "team", "groupChat")
HELP_COMMANDS = (
    (
        "start assessment",
        "Start your service's self-assessment, or carry on with it.",
        ("personal",),
    ),
    ("resume", "Carry on where you (or a colleague) stopped.", ("personal",)),
    ("status", "How far your service's assessment has got, and its rating so far.", ("personal",)),
    ("help", "What I can do.", EVERYWHERE),
)
"""The commands people can type: the help card and the Teams app's command menus show these."""
HELP_FOOTER = "Type a command, or use the buttons. Your answers are saved as you go."

NO_ROLE = (
    "You don't have a role for a service yet, so I can't start an assessment for you. Ask your "
    "administrator to give you one; they will need your id: {object_id}"
)
UNKNOWN_USER = (
    "I can't tell who you are from this message, so I can't look up your service. Please message "
    "me from Microsoft Teams."
)
CHOOSE_SERVICE = "You belong to more than one service. Which assessment would you like to work on?"
NOT_YOUR_SERVICE = "That service isn't one of yours. Please choose one of the services shown."
STARTED = "Starting a new self-assessment for **{service}**: {total} questions, one at a time."
RESUMED = (
    "Carrying on with the self-assessment for **{service}**: {answered} of {total} answered. "
    "Here is question {question}."
)
PAUSED = (
    "Paused at question {question}. Everything you've answered is saved; type **resume** when "
    "you're ready to carry on."
)
CHOOSE_RATING = "Please choose **Yes**, **Emerging** or **No** before saving."
NO_EVIDENCE_PROMPT = (
    "Saved without a comment. The tool asks for comments and supporting information for every "
    "rating; you can add them later with **Back** or from the review."
)
STALE_CARD = "That card is no longer current, so nothing was changed."
STALE_QUESTION = (
    "That card is for an earlier question, so nothing was changed. Here is the current one."
)
FINISHED_CARD = (
    "That card belongs to an assessment that has been submitted, so nothing was changed."
)
ALREADY_SUBMITTED = "This assessment was already submitted, so nothing was changed."
NOT_COMPLETE = "Questions {numbers} still need an answer before you can submit."
OVERWROTE = (
    "Note: {who} had already answered this question since it was shown to you. Your answer is "
    "now the current one; both are kept in the history."
)
ANOTHER_PERSON = "a colleague"
TYPE_IN_CARD = (
    "I'm waiting for your answer to question {question} on the card above. You can also type "
    "**pause**, **back**, **skip**, **review** or **status**."
)
IN_CHANNEL_ONLY_PERSONAL = (
    "The self-assessment is done in a personal chat with me: open a chat with {bot} and type "
    "**start assessment**."
)
NOT_ALLOWED_TENANT = "Sorry, this assistant is not available to your organisation."
APOLOGY = (
    "Sorry, something went wrong on my side (reference {reference}). Anything you had already "
    "saved is safe; please try again."
)
ACTIONS_SAVED = "Action plan saved: {count} actions, {owned} with an owner."
ACTIONS_BAD_DATE = "Question {question}: {value!r} is not a date. Nothing was saved."
STATUS_NONE = "Your services have no self-assessment yet. Type **start assessment** to begin."
