"""Importing customers, accounts, products, orders and engagement events from CSV and XLSX files.

Every way in (the ``advocacy import`` command, the upload page, the bulk API, the background task)
goes through :func:`advocacy.customers.importing.services.import_file`.
"""
