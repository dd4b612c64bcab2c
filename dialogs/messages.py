"""Every sentence the bot says, in one place, ready for review."""

from __future__ import annotations

BOT_NAME = "EHCP assistant"

WELCOME_TITLE = "Hello, I'm the EHCP assistant"
WELCOME = (
    "I help NHS services complete the Health Providers EHCP Processes Self-Assessment, one "
    "question at a time, and keep statutory EHCP deadlines in view."
)
HELP_TITLE = "What I can do"
HELP_TITLE_HERE = "What you can do here"
EVERYWHERE = ("personal", "team", "groupChat")
MEMBERS, ANY_ROLE, OVERSEERS, CHANNEL_KEEPERS = (
    frozenset({"practitioner", "spoc"}),
    frozenset({"practitioner", "spoc", "dco", "admin"}),
    frozenset({"dco", "admin"}),
    frozenset({"spoc", "dco", "admin"}),
)
PERSONAL_CHAT, CHANNEL, BOTH = ("personal",), ("team", "groupChat"), EVERYWHERE
HelpLine = tuple[str, str, frozenset[str], tuple[str, ...], tuple[str, ...]]
COMMAND_HELP: tuple[HelpLine, ...] = (
    # (as typed, what it does, who may (roles; empty: anyone), where (scopes), on the menu)
    (
        "start assessment",
        "Start your service's self-assessment, or carry on with the one in progress.",
        MEMBERS,
        PERSONAL_CHAT,
        ("personal",),
    ),
    (
        "start new assessment",
        "After a submission: start the next self-assessment (the last one is kept).",
        MEMBERS,
        PERSONAL_CHAT,
        (),
    ),
    ("resume", "Carry on where you (or a colleague) stopped.", MEMBERS, PERSONAL_CHAT, ()),
    (
        "status",
        "How far your service's assessment has got, and its rating so far.",
        MEMBERS,
        PERSONAL_CHAT,
        ("personal",),
    ),
    (
        "review · back · skip · pause",
        "During an assessment: every answer in a table, the previous or next question, or stop.",
        MEMBERS,
        PERSONAL_CHAT,
        (),
    ),
    (
        "action plan",
        "A service's action plan (yours, or name one): what will be done, who leads, by when, "
        "and progress.",
        ANY_ROLE,
        PERSONAL_CHAT,
        ("personal",),
    ),
    (
        "new request",
        "Log a request for health advice: it is due 6 weeks after the day it was received.",
        ANY_ROLE,
        BOTH,
        EVERYWHERE,
    ),
    ("return REF", "Record what became of a request (also a button on each).", ANY_ROLE, BOTH, ()),
    ("overdue", "Requests past their due date, greatest risk first.", ANY_ROLE, BOTH, EVERYWHERE),
    ("due this week", "Requests due in the next seven days.", ANY_ROLE, BOTH, EVERYWHERE),
    ("requests", "Every open request (add a service's name for one service).", ANY_ROLE, BOTH, ()),
    (
        "new review",
        "Log a plan's annual review, or fill in what has changed.",
        ANY_ROLE,
        BOTH,
        (),
    ),
    ("reviews", "Annual reviews needing action.", ANY_ROLE, BOTH, EVERYWHERE),
    (
        "summary",
        "Compliance across every service, last month and this month so far (or name a period: "
        "this quarter, 2026-10).",
        OVERSEERS,
        PERSONAL_CHAT,
        ("personal",),
    ),
    (
        "summary for SERVICE",
        "One service's answers, action plan and casework (a part of its name will do).",
        ANY_ROLE,
        PERSONAL_CHAT,
        (),
    ),
    (
        "subscribe SERVICE",
        "This channel gets the service's nudges (a DCO can say: subscribe all).",
        CHANNEL_KEEPERS,
        CHANNEL,
        ("team",),
    ),
    ("unsubscribe SERVICE", "This channel stops getting them.", CHANNEL_KEEPERS, CHANNEL, ()),
    ("subscriptions", "Which services' nudges this channel gets.", frozenset(), CHANNEL, ("team",)),
    (
        "nudges weekly on Monday",
        "Nudges once a week, on that day (or: nudges daily).",
        CHANNEL_KEEPERS,
        CHANNEL,
        (),
    ),
    (
        "pause nudges until 2027-01-04",
        "No nudges in this channel until that day.",
        CHANNEL_KEEPERS,
        CHANNEL,
        (),
    ),
    ("resume nudges", "Nudges in this channel back on.", CHANNEL_KEEPERS, CHANNEL, ("team",)),
    ("help", "What you can do, here.", frozenset(), BOTH, EVERYWHERE),
)
"""Every command, for the help card (by role and place) and the README; the last column is the
Teams app's command menus it appears in (at most 10 a scope)."""
HELP_COMMANDS = tuple(
    (" ".join(w for w in typed.split() if not w.isupper()), what, menus)
    for typed, what, _, _, menus in COMMAND_HELP
    if menus
)
"""The commands on the Teams app's command menus, with the scopes whose menu has each."""
HELP_NO_ROLE = (
    "You don't have a role yet, so there is little I can show you. Ask your administrator for "
    "one; they will need your id: {object_id}"
)
HELP_ELSEWHERE_PERSONAL = (
    "In a team channel (with me @mentioned) there is more: subscribing it to a service's "
    "nudges, and when they come."
)
HELP_ELSEWHERE_CHANNEL = (
    "In a personal chat with me there is more: the self-assessment, action plans and the summary."
)
DID_YOU_MEAN_HERE = "Did you mean **{suggestion}**?"
DID_YOU_MEAN = "I didn't recognise “{typed}”. Did you mean **{suggestion}**?"
HELP_FOOTER = "Type a command, or use the buttons. Your answers are saved as you go."

NO_ROLE = (
    "You don't have a role for a service yet, so I can't start an assessment for you. Ask your "
    "administrator to give you one; they will need your id: {object_id}"
)
NO_ROLE_AT_ALL = (
    "You don't have a role for a service yet, so I have nothing of a service's to show you or "
    "change. Ask your administrator to give you one; they will need your id: {object_id}"
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
FIELD_NOT_TEXT = "{field}: that could not be read as text, so it was not saved."
COMMENT_NOT_TEXT = (
    "The comment could not be read as text, so nothing was saved: please type it again."
)
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
NOT_COMPLETE = "{questions} still {need} an answer before you can submit."
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
TURN_CLASHED = (
    "That reached me at the same moment as another message from this chat, and I took the other "
    "one first, so I've set this one aside. Please look at where we are now (above) and send it "
    "again if it's still needed."
)
STATUS_NONE = "Your services have no self-assessment yet. Type **start assessment** to begin."

CASE_REF_LABEL = "Case reference (the local authority's)"
NO_NAMES = "Case references only: never a child's name or NHS number."
OUTCOME_CHOICES = (
    ("returned", "Advice returned"),
    ("not_known_referred", "Not known to the service: referral made, advice to follow"),
    ("clinical_delay", "Will take longer for clinical reasons"),
    ("exception", "An exception under reg 8(2) applies"),
    ("not_provided", "At escalation 2: advice will not be provided"),
    ("no_exception", "No exception after all: take off the reg 8(2) exception recorded"),
)
OUTCOME_CORRECTING = (
    "Already recorded: {outcome} on {when:%d %b %Y}. Saving this card corrects it; the change "
    "is kept in the audit trail."
)
EXCEPTION_HEADS = (
    "Reg 8(2) lifts the 6 weeks only where it is impractical because, during that 6 week "
    "period, one of these happened. Give the date it arose (within the 6 weeks) and the return "
    "date agreed with the requesting team: both are needed, and the agreed date is nudged."
)
NOT_PROVIDED_HOW = (
    "Seed 002's answer to escalation 2: the head of service confirms the advice will not be "
    "provided, and why. The request closes as not provided and counts as late."
)
DUE_ON_NON_WORKING_DAY = (
    "{due:%d %b %Y} is a {what}: the 6 weeks run in calendar days, so the advice is still due "
    "that day — return it by the working day before."
)
OUTCOME_NEEDS_NOT_PROVIDED = "Say why the advice will not be provided."
NO_SERVICES = (
    "You don't have a role for a service yet, so I can't show or log requests. Ask your "
    "administrator to give you one; they will need your id: {object_id}"
)
NOTHING_LOGGED = "{reason} Nothing was logged."
NOTHING_CHANGED = "{reason} Nothing was changed."
NOT_TEXT = "That card sent something other than text where text is typed: not a card I sent."
BAD_DATE = "{label}: {value} is not a date."
FUTURE_DATE = "{label} ({when:%d %b %Y}) is in the future."
BEFORE_RECEIVED = (
    "{label} ({when:%d %b %Y}) is before the request was received ({received:%d %b %Y})."
)
SERVICE_NOT_YOURS = "Please choose from your own services."
ALREADY_LOGGED = "{case_ref} is already logged for {services}."
RETURN_WHICH = (
    "Which case? Type **return** and its case reference, for example: return LA-2026-0142"
)
NO_SUCH_CASE = "There is no request {case_ref} in your services."
ALREADY_RETURNED = (
    "{case_ref} was already returned on {when:%d %b %Y}, so nothing was changed. To correct "
    "it, type **return {case_ref}** and save the card shown."
)
OUTCOME_CARD_STALE = (
    "That card is no longer current: {case_ref} has changed since it was shown (now: {now}), "
    "so nothing was changed. Type **return {case_ref}** for a card as it stands."
)
EXCEPTION_REMOVED = (
    "Took off the exception ({regulation}) recorded for {case_ref} ({service}); the change is "
    "kept in the audit trail. Now: {now}."
)
OUTCOME_CORRECTED = (
    "Corrected for {case_ref} ({service}): {outcome}, in place of {before}. {next_step}"
)
OUTCOME_NEEDS_DELAY = (
    "For a clinical delay, give the expected date the requesting team was given, and whether "
    "they were told."
)
OUTCOME_NEEDS_EXCEPTION = (
    "An exception needs one of the three reasons of reg 8(2) and a narrative saying why it applies."
)
OUTCOME_SAVED = "Saved for {case_ref} ({service}): {outcome}. {next_step}"
NO_SUCH_SERVICE = "None of your services is called {name}. Yours: {names}."
UNKNOWN_SERVICE = "There is no service called {name}."
LIST_EMPTY = "Nothing to show: {what}."
OVERDUE_LIST_EXCEPTED = (
    "Also listed: requests past the 6 weeks under a reg 8(2) exception. The 6 weeks do not "
    "apply to them, so they are not overdue until their agreed return date passes."
)
REVIEW_LOGGED = "Logged the annual review for {case_ref}: hold it by {review_by:%d %b %Y}."
REVIEW_UPDATED = "Updated the annual review for {case_ref}: hold it by {review_by:%d %b %Y}."
REVIEW_UPDATE_HINT = (
    "For a case already logged, fill in only what has changed (say, when health was told); "
    "fields left empty keep their dates."
)
REVIEWS_NONE = "No annual reviews in your services need action just now."
REVIEW_FLAGS = {
    "no_meeting_date": "No meeting date set: the review is due by {review_by:%d %b %Y}, so set a "
    "date and tell health by {limit_notice_by:%d %b %Y} (6 weeks' notice)",
    "no_meeting_date_late": "No meeting date set: the review is due by {review_by:%d %b %Y}, too "
    "soon for 6 weeks' notice to health: set the earliest date you can and tell health at once",
    "no_meeting_date_past": "No meeting date set, and the 12-month limit ({review_by:%d %b %Y}) "
    "has passed: set the earliest date you can and tell health at once",
    "meeting_after_limit": "The meeting on {meeting:%d %b %Y} is after the 12-month limit "
    "({review_by:%d %b %Y}): bring it forward",
    "meeting_after_limit_past": "The meeting on {meeting:%d %b %Y} is after the 12-month limit, "
    "which passed on {review_by:%d %b %Y}: hold it as soon as you can",
    "meeting_not_recorded": "The meeting on {meeting:%d %b %Y} has passed but is not recorded as "
    "held: record the date it was held (new review, Date held), or set the new date",
    "health_not_notified": "Health not yet told of the meeting on {meeting:%d %b %Y}: tell them "
    "by {notice_by:%d %b %Y} (6 weeks' notice)",
    "health_not_notified_past": "Health not yet told of the meeting on {meeting:%d %b %Y} "
    "(6 weeks' notice was due by {notice_by:%d %b %Y}): tell them at once",
    "health_told_under_2_weeks": "Health was told of the meeting on {meeting:%d %b %Y} on "
    "{told:%d %b %Y}: under the 2 weeks' notice reg 20(3) requires",
    "health_told_late": "Health was told of the meeting on {meeting:%d %b %Y} on {told:%d %b %Y}: "
    "under the 6 weeks' notice health needs (seed 002)",
    "contribution_missing": "Health's contribution is not in: it is needed by "
    "{circulate_by:%d %b %Y}, when advice is circulated for the meeting on {meeting:%d %b %Y}",
    "contribution_missing_past": "Health's contribution is not in: it was needed by "
    "{circulate_by:%d %b %Y}, 2 weeks before the meeting on {meeting:%d %b %Y} (reg 20(4)): "
    "send it at once",
    "past_twelve_months": "Past its 12-month limit ({review_by:%d %b %Y})",
    "phase_transfer_due": "Phase transfer: tell health by {transfer_notice_by:%d %b %Y}, hold "
    "the review by {transfer_meeting_by:%d %b %Y}, amended plan by {transfer:%d %b %Y}",
    "phase_transfer_due_late": "Phase transfer: hold the review by "
    "{transfer_meeting_by:%d %b %Y}, amended plan by {transfer:%d %b %Y}; 6 weeks' notice to "
    "health was due by {transfer_notice_by:%d %b %Y}: set the date and tell health at once",
    "phase_transfer_due_past": "Phase transfer: amended plan by {transfer:%d %b %Y}; to leave "
    "the 12 weeks the regulations allow for amending, the review was to be held by "
    "{transfer_meeting_by:%d %b %Y}: hold it as soon as you can",
    "phase_transfer_missed": "Phase transfer: the amended plan was due by {transfer:%d %b %Y} "
    "and is not recorded",
}
"""What needs doing for a review, by flag; a ``_late`` or ``_past`` form once a day to act by
in the line has passed (``casework_views._PASSED_FORMS`` says which)."""
REVIEW_NEEDS_ACTION = "Needs action now:"
REVIEW_HELD_HINT = "Once the meeting has been held:"
TRANSFER_HINT = "If the child or young person changes phase or post-16 institution:"
TRANSFER_YEAR_LABEL = "Calendar year of the move (2027 for a move in September 2027)"
TRANSFER_YEAR_HINT = "Give the calendar year of the move in four digits, e.g. 2027."
REVIEW_HELD_AND_LAST = (
    "Give either the date of the last review or the date this meeting was held, not both."
)
REVIEW_HELD_BEFORE = (
    "The review held on {held:%d %b %Y} would be on or before the last one recorded "
    "({start:%d %b %Y}): give the day this meeting was held."
)
REVIEW_HELD_NEEDS_PLAN = "The date the plan was first issued is needed for a new review."
TRANSFER_YEAR_WITHOUT_KIND = "Choose the kind of phase transfer for the year of the move."
REVIEW_HELD = "Recorded the review of {case_ref} as held on {held:%d %b %Y}."

SUBSCRIBE_IN_CHANNEL = (
    "Subscriptions are for team channels: @mention me in the channel that should get the nudges."
)
SUBSCRIBE_WHICH = (
    "Which service? For example: subscribe Children's SLT (a DCO can say: subscribe all)."
)
SUBSCRIBE_ROLE = (
    "Only a SPOC of {service}, a DCO or an administrator can change this channel's "
    "subscriptions; you need one of those roles."
)
SUBSCRIBE_ALL_ROLE = "Only a DCO or an administrator can subscribe a channel to every service."
SUBSCRIBED = (
    "This channel will get the daily nudges for {service}: requests due and overdue, reviews "
    "needing health, and actions past their date."
)
ALREADY_SUBSCRIBED = "This channel already gets the nudges for {service}."
UNSUBSCRIBED = "This channel will no longer get the nudges for {service}."
NOT_SUBSCRIBED = "This channel was not subscribed to {service}, so nothing changed."
SUBSCRIPTIONS_NONE = "This channel gets no nudges yet. Type: subscribe SERVICE"
SUBSCRIPTIONS_LIST = "This channel gets the nudges for: {services}."
EVERY_SERVICE = "every service"

DIGEST_TITLE = "EHCP nudges for {day:%A %d %B %Y}"
DIGEST_CONTINUED = " (continued)"
DIGEST_CATCH_UP = "Catching up after a gap: each item shows where it has got to now."
DIGEST_GROUPS = {
    "reply_overdue": "The ladder has run out: escalation 2's reply has not come",
    "escalation_2": "Escalation 2: inside health, reply within 10 working days",
    "escalation_1": "Escalation 1: reply within 3 working days",
    "overdue": "Newly overdue: chase within health",
    "expected_passed": "Clinical delays past the date the requesting team was given",
    "agreed_date_passed": "Reg 8(2) exceptions past the return date agreed",
    "due_today": "Advice due today",
    "review_past_limit": "Annual reviews past their 12 months",
    "phase_transfer_missed": "Phase transfers: the amended plan was not made in time (reg 18)",
    "meeting_not_recorded": "Review meetings passed, not recorded as held",
    "contribution_missing": "Health contributions not in, 2 weeks before the meeting",
    "health_not_notified": "Reviews within 6 weeks, health not yet told",
    "health_told_under_2_weeks": "Health told under 2 weeks before the meeting (reg 20(3))",
    "health_told_late": "Health told under 6 weeks before the meeting",
    "meeting_after_limit": "Review meetings set after the 12-month limit",
    "no_meeting_date": "Reviews due within 8 weeks with no meeting date",
    "phase_transfer": "Phase transfers: review and amend before the deadline",
    "due_this_week": "Advice due this week",
    "agreed_date_soon": "Reg 8(2) exceptions: the agreed return date is this week",
    "action_past_target": "Action plan items past their target date",
    "assessment_stale": "Self-assessments to start or refresh",
    "plan_without_lead": "Action plans with actions nobody leads yet",
}
DIGEST_ITEM = {
    "reply_overdue": "**{ref}** · {service} · escalation 2: {reply}",
    "escalation_2": "**{ref}** · {service} · now at escalation 2: {reply}",
    "escalation_1": "**{ref}** · {service} · now at escalation 1: {reply}",
    "overdue": "**{ref}** · {service} · was due {due:%d %b}: now overdue",
    "expected_passed": "**{ref}** · {service} · clinical delay: expected {reply_by:%d %b}, "
    "now passed",
    "agreed_date_passed": "**{ref}** · {service} · excepted (reg 8(2)): the agreed date "
    "{reply_by:%d %b} has passed",
    "agreed_date_soon": "**{ref}** · {service} · excepted (reg 8(2)): agreed return date "
    "{reply_by:%a %d %b}",
    "due_today": "**{ref}** · {service} · due today",
    "review_past_limit": "**{ref}** · {service} · the review was due by {on:%d %b %Y}",
    "contribution_missing": "**{ref}** · {service} · meeting on {on:%d %b}: contribution needed "
    "by {reply_by:%d %b}",
    "health_not_notified": "**{ref}** · {service} · meeting on {on:%d %b}: health not yet told, "
    "tell them by {reply_by:%d %b}",
    "phase_transfer_missed": "**{ref}** · {service} · the amended plan was due by {on:%d %b %Y}",
    "meeting_not_recorded": "**{ref}** · {service} · meeting on {on:%d %b}: record when it was "
    "held",
    "health_told_under_2_weeks": "**{ref}** · {service} · meeting on {on:%d %b}: under 2 weeks' "
    "notice",
    "health_told_late": "**{ref}** · {service} · meeting on {on:%d %b}: under 6 weeks' notice",
    "meeting_after_limit": "**{ref}** · {service} · meeting on {on:%d %b %Y}, after the limit "
    "{reply_by:%d %b %Y}",
    "no_meeting_date": "**{ref}** · {service} · due by {on:%d %b %Y}: set a date and tell health "
    "by {reply_by:%d %b}",
    "phase_transfer": "**{ref}** · {service} · hold the review by {reply_by:%d %b %Y}, amended "
    "plan by {on:%d %b %Y}",
    "due_this_week": "**{ref}** · {service} · due {on:%a %d %b}",
    "action_past_target": "{service} · {ref} · target was {on:%d %b %Y}",
    "assessment_stale": "{service} · {stale}",
    "plan_without_lead": "{service} · the action plan has no lead for {ref} (type: action plan)",
}
DIGEST_ITEM_PASSED = {
    "contribution_missing": "**{ref}** · {service} · meeting on {on:%d %b}: contribution not in "
    "(it was needed by {reply_by:%d %b}): send it now",
    "health_not_notified": "**{ref}** · {service} · meeting on {on:%d %b}: health not yet told "
    "(6 weeks' notice was due by {reply_by:%d %b}): tell them now",
    "phase_transfer": "**{ref}** · {service} · amended plan by {on:%d %b %Y}; the review was to "
    "be held by {reply_by:%d %b %Y}: hold it as soon as you can",
    "no_meeting_date": "**{ref}** · {service} · due by {on:%d %b %Y}: set a date and tell health "
    "now (6 weeks' notice was due by {reply_by:%d %b})",
}
"""Lines for the steps above whose date to act by has passed on the day of the digest."""
STALE_ASSESSMENT = "the self-assessment is due for a refresh"
NEVER_ASSESSED = "no self-assessment yet: time to start one"

CADENCE_HOW = "Say **nudges daily**, or **nudges weekly on Monday** (any weekday)."
CADENCE_SET = "This channel's nudges now come {cadence}."
PAUSE_HOW = (
    "Say **pause nudges until 04/01/2027** (or 2027-01-04): a day after today and at most {days} "
    "days ahead, after which they come back by themselves (nudges carry deadlines)."
)
PAUSED_UNTIL = (
    "Nudges to this channel are paused until {until:%A %d %B %Y}; they resume by themselves."
)
NUDGES_RESUMED = "Nudges to this channel are back on."
NO_SUBSCRIPTION_HERE = "This channel gets no nudges yet. Type: subscribe SERVICE"
NOT_FOLLOWED_HERE = (
    "This channel follows none of your services, so I show and change nothing of yours here: "
    "ask in a personal chat with me, or in your own service's channel."
)
CHANNEL_CHANGE_ROLE = (
    "Only a SPOC of a service this channel follows, a DCO or an administrator can change its "
    "nudges; you need one of those roles."
)
CHANNEL_CHANGE_OTHERS = (
    "This channel's nudges also cover {services}, which you are not the SPOC of, so a DCO or an "
    "administrator (or a SPOC of each) must change them."
)

ACKNOWLEDGED = "{who} has seen {reference} and is on it."
ALREADY_ACKNOWLEDGED = "You had already acknowledged {reference}."

REMINDER = (
    "You stopped at question {question} of the self-assessment for **{service}** "
    "({answered} of {total} answered). Everything so far is saved. Resume?"
)
CHANNEL_GONE = (
    "The EHCP assistant can no longer post nudges to the channel {channel} ({reason}); perhaps "
    "the app was removed. Its nudges are paused. Add the app back and type **resume nudges** in "
    "the channel, with the bot @mentioned."
)

SUMMARY_TITLE = "EHCP compliance summary: {period}"
SUMMARY_HEADLINE = (
    "Health advice returned within 6 weeks: **{on_time}** ({without} leaving out reg 8(2) "
    "exceptions). {previous}: {before}."
)
SUMMARY_REVIEWS = "Annual reviews needing action: {count}."
SUMMARY_REVIEWS_IN_TIME = (
    "Annual reviews held within 12 months of the plan or the last review: {percent} "
    "({in_time} of {counted} due in the period; held late {late}, not held {not_held}, "
    "not yet due {not_yet_due})."
)
SUMMARY_REVIEWS_NONE_DUE = (
    "Annual reviews held within 12 months of the plan or the last review: none fell due in the "
    "period ({not_yet_due} not yet due)."
)
SERVICE_REVIEWS_IN_TIME = "reviews within 12 months {percent} of {counted} due"
SUMMARY_BARRIERS = "Most often rated No or Emerging: {themes}."
SUMMARY_MORE = "And {more}: the export has every one."
SUMMARY_SELECT = "Select a service for its answers, action plan and casework."
SUMMARY_NUDGES = "Overdue-request nudges acknowledged in the period: {acknowledged} of {posted}."
CHART_ALT = (
    "Chart: 6-week compliance by month for the last 12 months, all services and each service, "
    "with each service's latest RAG rating."
)
NO_LONGER_MEMBER = (
    "You no longer have a role for {service}, so the self-assessment is closed for you. The "
    "answers given so far are kept. Ask your administrator if this is a mistake."
)
TOO_FAST = (
    "That's more than I can take in so quickly, so I've set it aside. Please wait a minute, then "
    "carry on: everything saved so far is kept."
)
TOO_MANY_EXPORTS = (
    "You've asked for a lot of exports in the last hour, so I've set this one aside. Please try "
    "again later, or use a link you already have while it lasts."
)
PERSONAL_ONLY = (
    "I show that only in a personal chat, because it can hold comments and case details that "
    "not everyone here may see: open a chat with {bot} and ask there."
)
ASSESSMENT_FOR_MEMBERS = (
    "The self-assessment is completed by a service's practitioners and SPOCs. With your role you "
    "can ask for the **summary**, a service's detail (**summary for SERVICE**) and its **action "
    "plan** (**action plan SERVICE**), and **overdue**, **due this week**, **requests** and "
    "**reviews** across services: type **help** for more."
)
EXPORT_PERSONAL_ONLY = (
    "Exports hold case references and comments, so I hand them out only in a personal chat: "
    "open a chat with {bot}, type **summary** there and use its export buttons."
)
DOWNLOAD_TITLE = "Your export is ready"
DOWNLOAD_LINK = (
    "**{filename}**. The link works for {lifetime} and for anyone who has it, so please don't "
    "forward it; ask me again for a fresh one."
)
DOWNLOAD_SAVED = "**{filename}** is saved at {url}"
SUMMARY_ROLE = (
    "The compliance summary across services is for Designated Clinical Officers and "
    "administrators; you need the DCO or admin role."
)
EXCEPTION_SHORT = {
    "exceptional_circumstances": "exceptional circumstances",
    "absent_from_area": "absent from the area",
    "missed_appointment": "missed appointment",
}

DETAIL_TITLE = "{service}: self-assessment, action plan and casework"
DETAIL_RATING = "Latest self-assessment: **{rag}**, submitted {when:%d %b %Y}."
DETAIL_NO_ASSESSMENT = "No self-assessment has been submitted yet."
DETAIL_ROLE = (
    "A service's detail is for its SPOC and practitioners, DCOs and administrators; you do not "
    "have a role for {service}."
)
SUMMARY_WHAT = "{error} Or name a service for its detail, for example: summary for Children's SLT."


def percent(value: float | None) -> str:
    """A share as the bot writes it everywhere (cards, the command line, exports' text):
    ``62.5%``, or ``n/a`` when nothing was due."""
    return "n/a" if value is None else f"{value:.1f}%"


_MARKUP = str.maketrans({ch: f"\\{ch}" for ch in "\\`*_[]<>|~"})


def said(value: object) -> str:
    """What someone typed, said back: quoted, cut short, never an NHS number
    (``ehcp_rules.quoted``), and inert (:func:`inert`)."""
    # imported here: the command line reads this module's sentences without loading the rules
    from ehcp_rules import quoted  # noqa: PLC0415

    return inert(quoted(value))


def inert(value: object) -> str:
    """Text from someone else (a name, a reference, a service's name) made safe to put in a
    message Teams reads as markdown: every markup character escaped, so it shows as typed and
    never becomes a link or emphasis."""
    return str(value).translate(_MARKUP)


# The action plan (seed 003's shape: the action, its lead and workstream, its date, progress)
PLAN_TITLE = "Action plan: {service}"
PLAN_TITLE_MORE = "Action plan: {service} (continued)"
PLAN_FROM = "From the self-assessment submitted {when:%d %b %Y}."
PLAN_NONE = "Every question is rated Yes, so there are no actions."
PLAN_SELECT = "Select an action to update it."
PLAN_READ_ONLY = "The service's practitioners and SPOC keep it up to date."
PLAN_COUNTS = "{total}: {ratings}"
PLAN_PAST = "{count} past the date set"
PLAN_UNLED = "{count} without a lead"
PLAN_NO_ACTION = "What will be done: not written yet"
PLAN_ACTION = "What will be done: {action}"
PLAN_LEAD = "Lead: {lead}"
PLAN_NO_LEAD = "No lead yet"
PLAN_BY = "by {on:%d %b %Y}"
PLAN_NO_DATE = "no date set"
PLAN_PAST_DATE = "past its date ({on:%d %b %Y})"
PLAN_SINCE = "{progress} since {on:%d %b %Y}"
ACTION_TITLE = "Action for question {question}: {service}"
ACTION_QUESTION = "**{question}{criterion}** · {criterion_word} · rated **{rating}**"
ACTION_HISTORY = "Progress so far: {steps}."
ACTION_HINT = "Dates as 31/03/2027 or 2027-03-31. Fields left as they are keep what is saved."
ACTION_SAVED = "Saved the action for question {question}."
ACTION_UNCHANGED = "The action for question {question} is as it was: nothing was changed."
ACTION_PROBLEMS = (
    "Not saved, and kept on the card for you to correct: {problems} Everything else you "
    "changed is saved."
)
ACTION_PROBLEMS_ONLY = "Nothing was saved: {problems} What you typed is kept on the card."
ACTION_SEE_CARD = (
    "Not all of it could be saved: the card says what to correct, and keeps what you typed."
)
ACTION_BAD_DATE = "{value} is not a date (use 31/03/2027 or 2027-03-31)."
ACTION_BAD_CHOICE = "that is not one of the progress ratings."
ACTION_PLAN_WHICH = "Whose action plan? Choose a service, or type: action plan SERVICE"
ACTION_PLAN_NONE_YET = (
    "{service} has no submitted self-assessment yet, so it has no action plan. Its action plan "
    "is made when the self-assessment is submitted: one action for each No and Emerging answer."
)
WHICH_SERVICE = "{name} could be any of these services: {names}. Say which, for example: {example}"
CRITERIA_KEY = "E: essential criterion · D: desirable criterion"
DETAIL_MORE = "And {count} more: the lists (requests, reviews) show every one."
ANSWERS_TITLE = "{service}: every answer in full"
ANSWERS_TITLE_MORE = "{service}: every answer in full (continued)"
NO_SERVICE_NAMED = (
    "No service is called {name}, or has that in its name. The services: {names}{more}."
)
START_AGAIN = (
    "**{service}** submitted its self-assessment on {when} (rated {rag}), and none is open. "
    "Start a new one, all 23 questions again? The submitted one is kept, for the trend, and its "
    "action plan stays as it is. To carry on with that plan, open it instead."
)
SO_FAR = "{period} (to {to:%d %b}): {on_time} of the {counted} due so far returned on time."
SO_FAR_NOTHING = "{period} (to {to:%d %b}): nothing has fallen due yet."
NEVER_ASSESSED_SHORT = "no self-assessment yet"
ASSESSED_ON = "assessed {on:%d %b %Y}"
ASSESSED_LONG_AGO = "last assessed {on:%d %b %Y}, over 12 months ago"
CHANGE_WORDS = {
    "better": ", better than the one before",
    "worse": ", worse than the one before",
    "same": ", the same as the one before",
}
PLAN_SHORT = "plan: {done} of {actions} completed"
PLAN_SHORT_PAST = ", {count} past the date set"
PLAN_SHORT_UNLED = ", {count} without a lead"
TOO_BIG_FOR_TEAMS = (
    "That was too big for Teams to show (it takes messages of up to about 40 KB), so it was not "
    "sent. Nothing is lost: ask for a part of it (a service's detail, one page of a list, the "
    "action plan), or use the export buttons for the whole."
)
