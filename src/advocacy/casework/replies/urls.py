from django.urls import path

from advocacy.casework.replies import views

urlpatterns = [
    path("reply-templates/", views.reply_templates, name="reply_templates"),
    path("reply-templates/<int:template_id>/", views.reply_template_edit, name="reply_template_edit"),
]
