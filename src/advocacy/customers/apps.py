from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "advocacy.customers"
    label = "customers"
    verbose_name = "Customers: accounts, customers, consent, products, orders, engagement"

    def ready(self) -> None:
        from advocacy.customers import registration

        registration.register()
