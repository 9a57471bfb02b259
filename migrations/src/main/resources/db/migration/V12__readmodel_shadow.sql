-- Where a read model is rebuilt beside the live one (bin/pipeline replay <read-model> --shadow): copies of
-- its tables, made and dropped by the projector's user, which needs CREATE here and nowhere else.
CREATE SCHEMA readmodel_shadow;
GRANT USAGE, CREATE ON SCHEMA readmodel_shadow TO pipeline_projector;

-- the version of each read model's projection that its rows were made by: a projector starts only on a read
-- model at its own version; a shadow build's swap moves it to the build's
ALTER TABLE readmodel.read_models ADD COLUMN version integer NOT NULL DEFAULT 1;
