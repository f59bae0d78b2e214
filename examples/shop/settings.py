"""Settings of the example shop."""
import os

DEBUG = False
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "us-east-1")
SESSION_COOKIE_AGE = 60 * 60 * 24 * 400
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
