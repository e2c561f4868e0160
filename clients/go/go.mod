module diskdb.dev/client

go 1.19
