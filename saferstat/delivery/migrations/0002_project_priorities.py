"""A project serves one or more priorities (and optionally objectives): the single
`priority` becomes `priorities`, each project keeping the priority it had."""

import django.db.models.deletion
from django.db import migrations, models


def copy_priority(apps, schema_editor):
    Project = apps.get_model("delivery", "Project")
    for project in Project.objects.exclude(priority__isnull=True):
        project.priorities.add(project.priority_id)


def first_priority(apps, schema_editor):
    """Going back: each project keeps the first of its priorities (by name)."""
    Project = apps.get_model("delivery", "Project")
    for project in Project.objects.all():
        first = project.priorities.order_by("name", "pk").first()
        if first is None:
            raise RuntimeError(f"Project {project.pk} serves no priority: cannot go back")
        project.priority = first
        project.save(update_fields=["priority"])


class Migration(migrations.Migration):
    saferstat_online = (
        "Adds the project-priority link table and copies each project's priority into it "
        "(a few dozen rows a partnership): no large table is rewritten."
    )
    dependencies = [
        ("delivery", "0001_initial"),
        ("plan", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="priorities",
            field=models.ManyToManyField(
                help_text="The plan priorities it serves (one or more)",
                related_name="delivery_projects",
                to="plan.priority",
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="objectives",
            field=models.ManyToManyField(
                blank=True,
                help_text="Objectives of those priorities it delivers (optional)",
                related_name="projects",
                to="plan.objective",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="priority",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects",
                to="plan.priority",
            ),
        ),
        migrations.RunPython(copy_priority, first_priority),
        migrations.RemoveField(model_name="project", name="priority"),
        migrations.AlterField(
            model_name="project",
            name="priorities",
            field=models.ManyToManyField(
                help_text="The plan priorities it serves (one or more)",
                related_name="projects",
                to="plan.priority",
            ),
        ),
    ]
