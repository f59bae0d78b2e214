"""The shop's data and compute: orders in DynamoDB, an ECS API, functions for the checkout."""
from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

REPLICA_REGIONS = ["eu-west-1", "us-east-2"]


class ShopStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        dynamodb.TableV2(
            self,
            "Orders",
            partition_key=dynamodb.Attribute(name="order_id", type=dynamodb.AttributeType.STRING),
            replicas=[dynamodb.ReplicaTableProps(region=region) for region in REPLICA_REGIONS],
        )
        task = ecs.FargateTaskDefinition(self, "Api")
        task.add_container(
            "api",
            image=ecs.ContainerImage.from_registry("shop-api"),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="api"),
        )
        lambda_.Function(self, "Checkout", runtime=lambda_.Runtime.PYTHON_3_12, handler="checkout.handler",
                         code=lambda_.Code.from_asset("lambda/checkout"))
        lambda_.Function(self, "Receipts", runtime=lambda_.Runtime.PYTHON_3_12, handler="receipts.handler",
                         code=lambda_.Code.from_asset("lambda/receipts"),
                         log_retention=logs.RetentionDays.ONE_MONTH)
