from django.urls import path

from agenda import views

urlpatterns = [
    path("<str:business>/availability", views.availability),
    path("<str:business>/bookings", views.book),
]
