from django.urls import path

from advocacy.advocates.stories import views

urlpatterns = [
    path("stories/", views.story_list, name="story_list"),
    path("stories/export.json", views.stories_export, name="stories_export"),
    path("stories/snippet.html", views.stories_snippet, name="stories_snippet"),
]
