-- Where a read model is rebuilt beside the live one (bin/pipeline replay <read-model> --shadow): copies of
-- its tables, made and dropped by the projector's user, which needs CREATE here and nowhere else.
CREATE SCHEMA readmodel_shadow;
GRANT USAGE, CREATE ON SCHEMA readmodel_shadow TO pipeline_projector;
