-- a migration numbered below ones already applied, as a merge of two branches may bring
CREATE TABLE readmodel.late (id int);
