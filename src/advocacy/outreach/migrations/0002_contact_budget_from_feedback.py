"""ContactAsk and FatiguePolicy arrive from feedback by state only: the tables keep their names and rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0001_initial"),
        ("feedback", "0002_contact_budget_moves_to_outreach"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FatiguePolicy",
                    fields=[
                        (
                            "id",
                            models.PositiveSmallIntegerField(
                                default=1, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        (
                            "survey_cooldown_days",
                            models.PositiveSmallIntegerField(
                                default=30,
                                help_text="No survey invitation within this many days of the last one, whatever the survey.",
                            ),
                        ),
                        (
                            "max_asks_per_quarter",
                            models.PositiveSmallIntegerField(
                                default=4,
                                help_text="All asks together (surveys, challenges, reference requests) per calendar quarter.",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "feedback_fatiguepolicy",
                        "verbose_name_plural": "fatigue policy",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("id", 1)), name="fatigue_policy_single_row")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ContactAsk",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("survey", "Survey invitation"),
                                    ("challenge", "Advocate challenge"),
                                    ("reference", "Reference request"),
                                    ("other", "Other ask"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("ref", models.CharField(help_text="What was asked, e.g. 'invitation:42'.", max_length=100)),
                        ("asked_at", models.DateTimeField()),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="asks",
                                to="customers.customer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "feedback_contactask",
                        "indexes": [
                            models.Index(fields=["customer", "asked_at"], name="feedback_co_custome_58ff25_idx"),
                            models.Index(fields=["asked_at"], name="feedback_co_asked_a_a2ea97_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("kind", "ref"), name="ask_recorded_once"),
                            models.CheckConstraint(
                                condition=models.Q(("kind__in", ["survey", "challenge", "reference", "other"])),
                                name="ask_kind_valid",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
