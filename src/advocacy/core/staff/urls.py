from django.urls import path

from advocacy.core.staff import views

urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("favicon.ico", views.favicon, name="favicon"),
]
