"""The certificate of the shop's site: CloudFront only serves certificates from us-east-1."""
from aws_cdk import Stack
from aws_cdk import aws_certificatemanager as acm
from constructs import Construct


class CertificateStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        acm.Certificate(self, "Site", domain_name="shop.example.eu")
