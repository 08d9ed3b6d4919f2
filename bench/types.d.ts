// The PouchDB peer's packages ship no type declarations; the bench uses them through a few calls.
declare module 'express-pouchdb';
declare module 'pouchdb-core';
declare module 'pouchdb-adapter-leveldb';
declare module 'pouchdb-adapter-http';
declare module 'pouchdb-mapreduce';
declare module 'pouchdb-replication';
declare module 'pouchdb-browser';
declare module 'express';
