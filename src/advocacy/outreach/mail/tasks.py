from django_tasks import task

from advocacy.outreach.mail import services


@task()
def send_mail(mail_id: int) -> bool:
    return services.mail_send(mail_id=mail_id)
