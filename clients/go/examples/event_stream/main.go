// Event stream: XADD events, read them back, process them with a consumer group.
package main

import (
	"fmt"
	"log"
	"os"

	"diskdb.dev/client"
)

func addr() string {
	if a := os.Getenv("DISKDB_ADDR"); a != "" {
		return a
	}
	return "localhost:6380"
}

func main() {
	db, err := client.Connect(addr())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.Del("events")
	for _, e := range []map[string]any{
		{"action": "login", "ip": "192.168.1.1"},
		{"action": "view", "page": "/home"},
		{"action": "logout"},
	} {
		if _, err := db.XAdd("events", e); err != nil {
			log.Fatal(err)
		}
	}
	msgs, err := db.XRangeN("events", "-", "+", 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range msgs {
		fmt.Printf("event action=%s\n", m.Values["action"])
	}
	if err := db.XGroupCreate("events", "analytics", "0"); err != nil {
		log.Fatal(err)
	}
	processed := 0
	for {
		st, err := db.XReadGroup(client.XReadGroupArgs{Group: "analytics", Consumer: "a1",
			Streams: []string{"events", ">"}, Count: 2})
		if err == client.ErrNil {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		for _, m := range st[0].Messages {
			db.XAck("events", "analytics", m.ID)
			processed++
		}
		if len(st[0].Messages) == 0 {
			break
		}
	}
	pend, _ := db.XPending("events", "analytics")
	fmt.Printf("processed=%d pending=%d\n", processed, pend.Count)
}
