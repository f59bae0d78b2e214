#!/usr/bin/env python3
"""The shop's infrastructure, written with the AWS CDK: data in Frankfurt, the certificate
CloudFront needs in us-east-1, and a copy of the orders that was meant for a DR test."""
import aws_cdk as cdk

from stacks.certificate import CertificateStack
from stacks.shop import ShopStack

ACCOUNT = "123456789012"

app = cdk.App()
ShopStack(app, "Shop", env={"account": ACCOUNT, "region": "eu-central-1"})
ShopStack(app, "ShopDrTest", env={"account": ACCOUNT, "region": "us-west-2"})
CertificateStack(app, "Certificate", env={"account": ACCOUNT, "region": "us-east-1"})
app.synth()
