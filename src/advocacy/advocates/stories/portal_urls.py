from django.urls import path

from advocacy.advocates.stories import portal_views as views

urlpatterns = [path("stories/", views.story_page, name="stories")]
