"""Makes the S3 tests' IAM user on a moto_server that checks signatures.

usage: make_moto_user.py ENDPOINT BUCKET

moto_server runs with INITIAL_NO_AUTH_ACTION_COUNT=3: the first three requests (create the
user, give it every permission, make its access key) go unsigned; every later one must be
signed with that key. Creates BUCKET with the key, then prints the key as shell exports.
"""
import sys

import boto3

endpoint, bucket = sys.argv[1], sys.argv[2]
anonymous = dict(endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **anonymous)
iam.create_user(UserName="artifact-search-tests")
iam.put_user_policy(
    UserName="artifact-search-tests", PolicyName="all",
    PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
key = iam.create_access_key(UserName="artifact-search-tests")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket=bucket)
print(f"export ARTIFACT_SEARCH_TEST_S3_ACCESS_KEY='{key['AccessKeyId']}'")
print(f"export ARTIFACT_SEARCH_TEST_S3_SECRET_KEY='{key['SecretAccessKey']}'")
