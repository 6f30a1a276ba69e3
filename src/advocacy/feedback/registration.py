"""What the feedback app adds to shared pages: the survey panel on the customer 360 and nav links."""

from __future__ import annotations

from typing import Any

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.home import HomeSection, register_home_section
from advocacy.core.models import User
from advocacy.core.roles import IMPACT_READERS, STAFF_ROLES
from advocacy.customers.models import Customer
from advocacy.customers.panels import Panel, register_panel
from advocacy.outreach.webhooks.registry import register_event_type


def survey_history(customer: Customer) -> dict[str, Any]:
    from advocacy.feedback.surveys.queries import customer_survey_history

    return {"history": customer_survey_history(customer.pk)}


def nps_headline(user: User) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    from advocacy.feedback.dashboard.queries import default_survey, nps_summary

    survey = default_survey()
    since = timezone.now() - timedelta(days=90)
    return {"survey": survey, "estimate": nps_summary(survey, since=since) if survey else None}


def register() -> None:
    register_privacy()
    register_home_section(
        HomeSection("nps_headline", "feedback/home/_nps_headline.html", nps_headline, IMPACT_READERS, 20)
    )
    register_event_type(
        "answer.recorded", "A customer answered a survey (or changed the score of an answer).", app="feedback"
    )
    register_panel(
        Panel(
            key="surveys",
            title="Surveys",
            template="feedback/_customer_panel.html",
            context=survey_history,
            roles=STAFF_ROLES,
            order=10,
        )
    )
    register_nav_link(NavLink("NPS", "feedback:dashboard", 20))
    register_nav_link(NavLink("Responses", "feedback:responses", 21))
    register_nav_link(NavLink("Surveys", "feedback:survey_list", 22))


def register_privacy() -> None:
    from advocacy.customers.privacy.registry import register_eraser, register_section
    from advocacy.feedback import privacy

    register_section("survey_answers", privacy.answers_export)
    register_section("survey_invitations", privacy.invitations_export)
    register_eraser("survey comments", privacy.comments_erase)
