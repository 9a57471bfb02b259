-- named V11_ with one underscore: Flyway would skip it without validateMigrationNaming
CREATE TABLE readmodel.misnamed (id int);
