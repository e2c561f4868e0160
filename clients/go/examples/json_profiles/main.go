// JSON profiles: documents stored with JSON.SET, read and updated by path.
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

type Address struct {
	City string `json:"city"`
}

type Profile struct {
	Name      string   `json:"name"`
	Address   Address  `json:"address"`
	Interests []string `json:"interests"`
	Logins    int      `json:"logins"`
}

func main() {
	db, err := client.Connect(addr())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	p := Profile{Name: "Alice", Address: Address{City: "NYC"}, Interests: []string{"go", "databases"}}
	if err := db.JSONSet("user:1", "$", p); err != nil {
		log.Fatal(err)
	}
	var city string
	if err := db.JSONGet("user:1", "$.address.city", &city); err != nil {
		log.Fatal(err)
	}
	db.JSONArrAppend("user:1", "$.interests", "hiking")
	db.JSONNumIncrBy("user:1", "$.logins", 1)
	var back Profile
	if err := db.JSONGet("user:1", "$", &back); err != nil {
		log.Fatal(err)
	}
	typ, _ := db.Type("user:1")
	fmt.Printf("city=%s interests=%v logins=%d type=%s\n", city, back.Interests, back.Logins, typ)
	var missing any
	if err := db.JSONGet("user:1", "$.phone", &missing); err == client.ErrNil {
		fmt.Println("phone: none")
	}
}
