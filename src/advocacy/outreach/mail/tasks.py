from advocacy.core.jobs.durable import durable_task
from advocacy.outreach.mail import services


@durable_task()
def send_mail(mail_id: int) -> bool:
    return services.mail_send(mail_id=mail_id)
