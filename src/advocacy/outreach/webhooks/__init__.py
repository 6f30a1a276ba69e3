"""Outbound webhooks (Standard Webhooks): endpoints, the event registry, signed deliveries with retries."""
