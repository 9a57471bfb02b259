-- a second migration with version 2
CREATE TABLE readmodel.twin (id int);
